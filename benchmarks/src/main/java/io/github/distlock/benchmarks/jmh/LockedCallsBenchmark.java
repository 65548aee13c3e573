package io.github.distlock.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import io.github.distlock.benchmarks.jmh.LockedOrders.Order;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
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
 * The calls both annotation benchmarks measure, against the lock client of the application a subclass names: the
 * work through {@link LockClient#callWithLock} with the request the annotation would build (lease and wait from the
 * default settings, renewed, reentrant), and the annotated method through its Spring proxy with no key, a parameter
 * key and a property key. JMH runs them once per subclass, under the subclass's name.
 *
 * <p>One instance per benchmark run ({@link Scope#Benchmark}); the calls may come from any JMH thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class LockedCallsBenchmark {

    private static final DistributedLockSettings SETTINGS = DistributedLockSettings.defaults();

    final Order order = new Order("42", 100);

    final LockedOrders plain = new LockedOrders();

    private AnnotationConfigApplicationContext context;

    private LockedOrders proxied;

    private LockClient client;

    /**
     * Returns the configuration that declares the lock client; {@link LockedOrdersConfiguration} adds the rest.
     * @return the configuration class
     */
    abstract Class<?> lockClientConfiguration();

    /**
     * Starts the application context.
     */
    @Setup
    public void start() {
        this.context = new AnnotationConfigApplicationContext(LockedOrdersConfiguration.class,
                lockClientConfiguration());
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
     * The benchmarks' application without its lock client: the annotated service, proxied by class.
     */
    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class LockedOrdersConfiguration {

        @Bean
        LockedOrders lockedOrders() {
            return new LockedOrders();
        }

    }

}
