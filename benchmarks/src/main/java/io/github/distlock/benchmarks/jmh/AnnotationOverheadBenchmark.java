package io.github.distlock.benchmarks.jmh;

import io.github.distlock.core.LockClient;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.openjdk.jmh.annotations.Benchmark;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What {@code @DistributedLock} costs on top of the lock itself, on the in-memory backend (so no network hides
 * it): a plain call, the same work through {@link LockClient#callWithLock} with the request the annotation would
 * build (lease 30 s, wait 5 s, renewed, reentrant), and the annotated method through its Spring proxy with no key,
 * a parameter key and a property key. Annotation overhead = annotated minus direct; key evaluation = keyed minus
 * unkeyed. {@link InterceptorOverheadBenchmark} repeats the annotated and direct calls over a lock client that does
 * nothing, which isolates the interceptor from the engine's own (noisier) cost.
 */
public class AnnotationOverheadBenchmark extends LockedCallsBenchmark {

    /**
     * The work without any lock.
     * @return the result
     */
    @Benchmark
    public long plainCall() {
        return this.plain.work(this.order);
    }

    @Override
    Class<?> lockClientConfiguration() {
        return LockConfiguration.class;
    }

    /**
     * The benchmark's lock client: the engine over the in-memory backend.
     */
    @Configuration(proxyBeanMethods = false)
    static class LockConfiguration {

        @Bean(destroyMethod = "close")
        LockEngine lockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

    }

}
