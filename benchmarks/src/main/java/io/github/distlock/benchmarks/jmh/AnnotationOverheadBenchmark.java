package io.github.distlock.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import io.github.distlock.benchmarks.jmh.LockedOrders.Order;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.EnableDistributedLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
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
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AnnotationOverheadBenchmark {

    private static final DistributedLockSettings SETTINGS = DistributedLockSettings.defaults();

    private final Order order = new Order("42", 100);

    private final LockedOrders plain = new LockedOrders();

    private AnnotationConfigApplicationContext context;

    private LockedOrders proxied;

    private LockClient client;

    /**
     * Starts the application context.
     */
    @Setup
    public void start() {
        this.context = new AnnotationConfigApplicationContext(LockConfiguration.class);
        this.proxied = this.context.getBean(LockedOrders.class);
        this.client = this.context.getBean(LockClient.class);
    }

    /**
     * Closes the application context.
     */
    @TearDown
    public void stop() {
        this.context.close();
    }

    /**
     * The work without any lock.
     * @return the result
     */
    @Benchmark
    public long plainCall() {
        return this.plain.work(this.order);
    }

    /**
     * The work through {@link LockClient#callWithLock}, with the key built the way an application would.
     * @return the result
     * @throws Exception never
     */
    @Benchmark
    public long lockClientCall() throws Exception {
        LockRequest request = new LockRequest("orders:" + this.order.id(), SETTINGS.defaultLeaseTime(),
                SETTINGS.defaultWaitTime(), true, true);
        return this.client.callWithLock(request, () -> this.plain.work(this.order));
    }

    /**
     * The annotated method without a key expression.
     * @return the result
     */
    @Benchmark
    public long annotationWithoutKey() {
        return this.proxied.chargeUnderOneLock(this.order);
    }

    /**
     * The annotated method keyed by {@code #id}.
     * @return the result
     */
    @Benchmark
    public long annotationParameterKey() {
        return this.proxied.chargeById(this.order.id(), this.order);
    }

    /**
     * The annotated method keyed by {@code #order.id}.
     * @return the result
     */
    @Benchmark
    public long annotationPropertyKey() {
        return this.proxied.charge(this.order);
    }

    LockedOrders proxied() {
        return this.proxied;
    }

    /**
     * The benchmark's application: the in-memory backend and the annotated service.
     */
    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class LockConfiguration {

        @Bean(destroyMethod = "close")
        LockEngine lockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

        @Bean
        LockedOrders lockedOrders() {
            return new LockedOrders();
        }

    }

}
