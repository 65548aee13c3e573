package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The lock meters on a {@link SimpleMeterRegistry} after a scripted run over the in-memory backend: each value is
 * what the script did.
 */
class DistributedLockMetersTests {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private static final Duration LONG_LEASE = Duration.ofSeconds(30);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
        .withPropertyValues("distributed-lock.backend=in-memory");

    private final ExecutorService otherThreads = Executors.newCachedThreadPool();

    @AfterEach
    void stopOtherThreads() {
        this.otherThreads.shutdownNow();
    }

    @Test
    void theMetersCountTheLeasesHeldTheCallersWaitingAndTheLeasesLost() {
        this.contextRunner.run((context) -> {
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(MeterBinder.class).bindTo(registry);
            LockEngine engine = context.getBean(LockEngine.class);
            assertThat(gauge(registry, "distributed.lock.leases.active")).isZero();

            List<Lease> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(engine.tryAcquire(LockRequest.of(uniqueKey(), LONG_LEASE).withName("orders")).orElseThrow());
            }
            held.remove(0).release();
            assertThat(gauge(registry, "distributed.lock.leases.active")).isEqualTo(2);

            Lease busy = held.get(0);
            Future<?> waiter = this.otherThreads.submit(() -> {
                engine.acquire(LockRequest.of(busy.key(), LONG_LEASE).withWaitTime(PATIENCE)).release();
                return null;
            });
            await().atMost(PATIENCE).until(() -> gauge(registry, "distributed.lock.waiters") == 1);
            busy.release();
            waiter.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(gauge(registry, "distributed.lock.waiters")).isZero();

            for (int i = 0; i < 2; i++) {
                engine.tryAcquire(LockRequest.of(uniqueKey(), Duration.ofMillis(200)).withAutoRenew(false)
                    .withName("reports")).orElseThrow();
            }
            await().atMost(PATIENCE).until(() -> lost(registry, "reports") == 2);
            assertThat(registry.get("distributed.lock.leases.lost").counter().getId().getTag("distributed.lock.cause"))
                .isEqualTo("expired");
            assertThat(registry.get("distributed.lock.leases.lost").counter().getId().getTag("distributed.lock.backend"))
                .isEqualTo("in-memory");
            assertThat(lost(registry, "orders")).isZero();
            held.forEach(Lease::release);
            assertThat(gauge(registry, "distributed.lock.leases.active")).isZero();
        });
    }

    @Test
    void withoutMicrometerThereAreNoMeters() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DistributedLockMeters.class));
    }

    @Test
    void anApplicationsOwnLockClientGetsNoMetersOfOurs() {
        this.contextRunner.withBean(io.github.distlock.core.LockClient.class,
                () -> new LockEngine(new io.github.distlock.core.inmemory.InMemoryLeaseBackend()))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DistributedLockMeters.class));
    }

    private static double gauge(MeterRegistry registry, String name) {
        return registry.get(name).tag("distributed.lock.backend", "in-memory").gauge().value();
    }

    private static double lost(MeterRegistry registry, String name) {
        return registry.find("distributed.lock.leases.lost").tag("distributed.lock.name", name).counters().stream()
            .mapToDouble((counter) -> counter.count())
            .sum();
    }

    private static String uniqueKey() {
        return "meters-" + UUID.randomUUID();
    }

}
