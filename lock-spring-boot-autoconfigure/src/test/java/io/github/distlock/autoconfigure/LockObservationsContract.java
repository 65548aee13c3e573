package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.DistributedLockException;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.LockContext;
import io.github.distlock.spring.WhenLocked;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The observations of locked methods, with each outcome, on a real backend: {@code distributed.lock.acquire} tagged
 * with the lock's name (never the key), the backend, the outcome and the when-locked policy, and
 * {@code distributed.lock.held} from grant to release; the key as high-cardinality value only. Each backend is a
 * short subclass.
 */
abstract class LockObservationsContract {

    static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ExecutorService otherThreads = Executors.newCachedThreadPool();

    @AfterEach
    void stopOtherThreads() {
        this.otherThreads.shutdownNow();
    }

    /** The context runner with this backend configured. */
    abstract ApplicationContextRunner backend(ApplicationContextRunner runner);

    /** The backend's name as the lock client reports it. */
    abstract String backendName();

    /** Makes the backend unreachable, or reachable again. */
    abstract void reachable(AssertableApplicationContext context, boolean reachable);

    private ApplicationContextRunner runner() {
        return backend(new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
            .withUserConfiguration(ObservedConfiguration.class));
    }

    @Test
    void aGrantedCallIsObservedAsAcquiredThenHeldUntilReleased() {
        runner().run((context) -> {
            String id = UUID.randomUUID().toString();
            assertThat(context.getBean(LockedOrders.class).waitFor(id)).isEqualTo("ran");
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            TestObservationRegistryAssert.assertThat(registry)
                .doesNotHaveAnyRemainingCurrentObservation()
                .hasNumberOfObservationsWithNameEqualTo("distributed.lock.acquire", 1)
                .hasNumberOfObservationsWithNameEqualTo("distributed.lock.held", 1)
                .hasObservationWithNameEqualTo("distributed.lock.acquire")
                .that()
                .hasBeenStarted()
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("distributed.lock.name", "orders")
                .hasLowCardinalityKeyValue("distributed.lock.backend", backendName())
                .hasLowCardinalityKeyValue("distributed.lock.outcome", "acquired")
                .hasLowCardinalityKeyValue("distributed.lock.when-locked", "wait")
                .hasHighCardinalityKeyValue("distributed.lock.key", key(id))
                .doesNotHaveLowCardinalityKeyValueWithKey("distributed.lock.key");
            TestObservationRegistryAssert.assertThat(registry)
                .hasObservationWithNameEqualTo("distributed.lock.held")
                .that()
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("distributed.lock.name", "orders")
                .hasLowCardinalityKeyValue("distributed.lock.outcome", "released")
                .hasHighCardinalityKeyValue("distributed.lock.key", key(id));
        });
    }

    @Test
    void aReactiveCallIsObservedPerSubscriptionAsAcquiredThenHeldUntilItCompletes() {
        runner().run((context) -> {
            String id = UUID.randomUUID().toString();
            Mono<String> call = context.getBean(LockedOrders.class).reactive(id);
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            TestObservationRegistryAssert.assertThat(registry).doesNotHaveAnyObservation();
            assertThat(call.block(PATIENCE)).isEqualTo("ran");
            assertThat(call.block(PATIENCE)).isEqualTo("ran");
            TestObservationRegistryAssert.assertThat(registry)
                .hasNumberOfObservationsWithNameEqualTo("distributed.lock.acquire", 2)
                .hasNumberOfObservationsWithNameEqualTo("distributed.lock.held", 2)
                .hasObservationWithNameEqualTo("distributed.lock.acquire")
                .that()
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("distributed.lock.outcome", "acquired")
                .hasLowCardinalityKeyValue("distributed.lock.backend", backendName())
                .hasHighCardinalityKeyValue("distributed.lock.key", key(id));
            TestObservationRegistryAssert.assertThat(registry)
                .hasObservationWithNameEqualTo("distributed.lock.held")
                .that()
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("distributed.lock.outcome", "released");
        });
    }

    @Test
    void aSkippedReactiveCallIsObservedAsSkippedWithoutAHold() throws Exception {
        runner().run((context) -> {
            String id = UUID.randomUUID().toString();
            try (Lease holder = holdOnAnotherThread(context, id)) {
                assertThat(context.getBean(LockedOrders.class).reactiveOrSkip(id).block(PATIENCE)).isNull();
            }
            assertOnlyAcquire(context, "skipped", "skip");
        });
    }

    @Test
    void theHeldObservationIsCurrentWhileTheMethodRuns() {
        runner().run((context) -> {
            Observation current = context.getBean(LockedOrders.class).currentObservation(UUID.randomUUID().toString());
            assertThat(current).isNotNull();
            assertThat(current.getContext().getName()).isEqualTo("distributed.lock.held");
        });
    }

    @Test
    void aSkippedCallIsObservedAsSkippedWithoutAHold() throws Exception {
        runner().run((context) -> {
            String id = UUID.randomUUID().toString();
            try (Lease holder = holdOnAnotherThread(context, id)) {
                assertThat(context.getBean(LockedOrders.class).skipIfHeld(id)).isNull();
            }
            assertOnlyAcquire(context, "skipped", "skip");
        });
    }

    @Test
    void aRefusedCallIsObservedAsNotAcquired() throws Exception {
        runner().run((context) -> {
            String id = UUID.randomUUID().toString();
            try (Lease holder = holdOnAnotherThread(context, id)) {
                assertThatExceptionOfType(LockNotAcquiredException.class)
                    .isThrownBy(() -> context.getBean(LockedOrders.class).failIfHeld(id));
            }
            assertOnlyAcquire(context, "not-acquired", "fail");
            TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
                .hasObservationWithNameEqualTo("distributed.lock.acquire")
                .that()
                .assertThatError()
                .isInstanceOf(LockNotAcquiredException.class);
        });
    }

    @Test
    void aCallWhoseBackendIsDownIsObservedAsUnavailable() {
        runner().run((context) -> {
            reachable(context, false);
            try {
                assertThatExceptionOfType(LockUnavailableException.class)
                    .isThrownBy(() -> context.getBean(LockedOrders.class).waitFor(UUID.randomUUID().toString()));
            }
            finally {
                reachable(context, true);
            }
            assertOnlyAcquire(context, "unavailable", "wait");
        });
    }

    @Test
    void aWaiterThatIsInterruptedIsObservedAsInterrupted() throws Exception {
        runner().run((context) -> {
            String id = UUID.randomUUID().toString();
            try (Lease holder = holdOnAnotherThread(context, id)) {
                CompletableFuture<Throwable> failure = new CompletableFuture<>();
                Thread waiter = new Thread(() -> {
                    try {
                        context.getBean(LockedOrders.class).waitFor(id);
                        failure.complete(null);
                    }
                    catch (RuntimeException ex) {
                        failure.complete(ex);
                    }
                });
                waiter.start();
                LockEngine engine = context.getBean(LockEngine.class);
                await().atMost(PATIENCE).until(() -> engine.waiterCount() == 1);
                waiter.interrupt();
                assertThat(failure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(DistributedLockException.class);
            }
            assertOnlyAcquire(context, "interrupted", "wait");
        });
    }

    @Test
    void aMethodThatThrowsIsObservedAsAnErrorOfTheHold() {
        runner().run((context) -> {
            assertThatExceptionOfType(IllegalStateException.class)
                .isThrownBy(() -> context.getBean(LockedOrders.class).throwing(UUID.randomUUID().toString()));
            TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
                .hasObservationWithNameEqualTo("distributed.lock.held")
                .that()
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("distributed.lock.outcome", "error")
                .hasError();
        });
    }

    @Test
    void aMethodThatOutlivesItsLeaseIsObservedAsALostHold() {
        runner().withPropertyValues("distributed-lock.on-lease-lost=log").run((context) -> {
            context.getBean(LockedOrders.class).outliveLease(UUID.randomUUID().toString());
            TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
                .hasObservationWithNameEqualTo("distributed.lock.held")
                .that()
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("distributed.lock.outcome", "lost");
        });
    }

    static String key(String id) {
        return "orders:" + id;
    }

    /** Holds the method's key on another thread, so the caller's thread cannot re-enter it. */
    private Lease holdOnAnotherThread(AssertableApplicationContext context, String id) throws Exception {
        LockClient client = context.getBean(LockClient.class);
        Future<Lease> lease = this.otherThreads
            .submit(() -> client.tryAcquire(LockRequest.of(key(id), Duration.ofSeconds(30))).orElseThrow());
        return lease.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void assertOnlyAcquire(AssertableApplicationContext context, String outcome, String whenLocked) {
        TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
        TestObservationRegistryAssert.assertThat(registry)
            .doesNotHaveAnyRemainingCurrentObservation()
            .hasNumberOfObservationsWithNameEqualTo("distributed.lock.held", 0)
            .hasNumberOfObservationsWithNameEqualTo("distributed.lock.acquire", 1)
            .hasObservationWithNameEqualTo("distributed.lock.acquire")
            .that()
            .hasBeenStopped()
            .hasLowCardinalityKeyValue("distributed.lock.outcome", outcome)
            .hasLowCardinalityKeyValue("distributed.lock.when-locked", whenLocked)
            .hasLowCardinalityKeyValue("distributed.lock.backend", backendName());
    }

    @Configuration(proxyBeanMethods = false)
    static class ObservedConfiguration {

        @Bean
        TestObservationRegistry testObservationRegistry() {
            return TestObservationRegistry.create();
        }

        @Bean
        LockedOrders lockedOrders(ObservationRegistry registry) {
            return new LockedOrders(registry);
        }

    }

    static class LockedOrders {

        private final ObservationRegistry registry;

        LockedOrders(ObservationRegistry registry) {
            this.registry = registry;
        }

        @DistributedLock(name = "orders", key = "#id", waitTime = "10s")
        public String waitFor(String id) {
            return "ran";
        }

        @DistributedLock(name = "orders", key = "#id")
        public Observation currentObservation(String id) {
            return this.registry.getCurrentObservation();
        }

        @DistributedLock(name = "orders", key = "#id", waitTime = "10s")
        public Mono<String> reactive(String id) {
            return Mono.just("ran");
        }

        @DistributedLock(name = "orders", key = "#id", whenLocked = WhenLocked.SKIP)
        public Mono<String> reactiveOrSkip(String id) {
            return Mono.just("ran");
        }

        @DistributedLock(name = "orders", key = "#id", whenLocked = WhenLocked.SKIP)
        public String skipIfHeld(String id) {
            return "ran";
        }

        @DistributedLock(name = "orders", key = "#id", whenLocked = WhenLocked.FAIL)
        public String failIfHeld(String id) {
            return "ran";
        }

        @DistributedLock(name = "orders", key = "#id")
        public String throwing(String id) {
            throw new IllegalStateException("the method failed");
        }

        @DistributedLock(name = "orders", key = "#id", leaseTime = "300ms", autoRenew = false)
        public String outliveLease(String id) {
            Lease lease = LockContext.current();
            await().atMost(PATIENCE).until(() -> !lease.isHeld());
            return "ran";
        }

    }

}
