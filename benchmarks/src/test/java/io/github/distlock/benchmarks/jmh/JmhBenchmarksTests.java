package io.github.distlock.benchmarks.jmh;

import io.github.distlock.benchmarks.jmh.LockedOrders.Order;

import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls each JMH benchmark method once outside JMH: they must run, and the annotated ones must really go through
 * the lock (a benchmark that silently skipped the proxy would report a flattering number).
 */
class JmhBenchmarksTests {

    private final long expected = new LockedOrders().work(new Order("42", 100));

    @Test
    void annotationBenchmarksCallTheLockedMethodThroughTheProxy() throws Exception {
        AnnotationOverheadBenchmark benchmark = new AnnotationOverheadBenchmark();
        benchmark.start();
        try {
            assertThat(benchmark.plainCall()).isEqualTo(this.expected);
            assertThat(benchmark.lockClientCall()).isEqualTo(this.expected);
            assertThat(benchmark.annotationWithoutKey()).isEqualTo(this.expected);
            assertThat(benchmark.annotationParameterKey()).isEqualTo(this.expected);
            assertThat(benchmark.annotationPropertyKey()).isEqualTo(this.expected);
            assertThat(AopUtils.isAopProxy(benchmark.proxied())).isTrue();
            assertThat(benchmark.proxied().heldKey("42")).isEqualTo("orders:42");
        }
        finally {
            benchmark.stop();
        }
    }

    @Test
    void interceptorBenchmarksCallTheLockedMethodThroughTheProxy() throws Exception {
        InterceptorOverheadBenchmark benchmark = new InterceptorOverheadBenchmark();
        benchmark.start();
        try {
            assertThat(benchmark.lockClientCall()).isEqualTo(this.expected);
            assertThat(benchmark.annotationWithoutKey()).isEqualTo(this.expected);
            assertThat(benchmark.annotationParameterKey()).isEqualTo(this.expected);
            assertThat(benchmark.annotationPropertyKey()).isEqualTo(this.expected);
            assertThat(AopUtils.isAopProxy(benchmark.proxied())).isTrue();
            assertThat(benchmark.proxied().heldKey("42")).isEqualTo("no-op");
        }
        finally {
            benchmark.stop();
        }
    }

    @Test
    void theNoOpObservationBenchmarkCallsTheLockedMethodThroughTheProxy() throws Exception {
        NoOpObservationInterceptorBenchmark benchmark = new NoOpObservationInterceptorBenchmark();
        benchmark.start();
        try {
            assertThat(benchmark.lockClientCall()).isEqualTo(this.expected);
            assertThat(benchmark.annotationParameterKey()).isEqualTo(this.expected);
            assertThat(AopUtils.isAopProxy(benchmark.proxied())).isTrue();
            assertThat(benchmark.proxied().heldKey("42")).isEqualTo("no-op");
        }
        finally {
            benchmark.stop();
        }
    }

    @Test
    void engineBenchmarksAcquireAndRelease() throws Exception {
        EngineBenchmark benchmark = new EngineBenchmark();
        benchmark.start();
        try {
            assertThat(benchmark.acquireOnceAndRelease().isHeld()).isFalse();
            assertThat(benchmark.acquireWithWaitAndRelease().isHeld()).isFalse();
            assertThat(benchmark.reentrantAcquireAndRelease().isHeld()).isFalse();
            assertThat(benchmark.reentrantAcquireAndRelease().fencingToken())
                .as("the inner hold shares the outer lease").isPresent();
        }
        finally {
            benchmark.stop();
        }
    }

}
