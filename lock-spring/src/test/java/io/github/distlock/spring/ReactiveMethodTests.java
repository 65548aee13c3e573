package io.github.distlock.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.testkit.RecordingLeaseBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @DistributedLock} method returning a {@code Mono} or {@code Flux} is locked from each subscription to
 * its termination, on the in-memory backend (the Redis run is in the auto-configuration module's tests).
 */
class ReactiveMethodTests {

    private AnnotationConfigApplicationContext context;

    private Streams streams;

    private LockClient lockClient;

    private RecordingLeaseBackend backend;

    @BeforeEach
    void startContext() {
        this.context = startContext(LeaseLostAction.THROW);
        this.streams = this.context.getBean(Streams.class);
        this.lockClient = this.context.getBean(LockClient.class);
        this.backend = this.context.getBean(RecordingLeaseBackend.class);
    }

    @AfterEach
    void closeContext() {
        this.context.close();
    }

    private static AnnotationConfigApplicationContext startContext(LeaseLostAction onLeaseLost) {
        return DistributedLockAnnotationTests.startContext(onLeaseLost, Streams.class);
    }

    private boolean isFree(String key) {
        return this.lockClient.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5)).withReentrant(false))
            .map(lease -> {
                lease.release();
                return true;
            })
            .orElse(false);
    }

    @Nested
    @DisplayName("subscription")
    class Subscription {

        @Test
        void invokesTheMethodAndTakesTheLockOnlyWhenSubscribedToNotWhenCalled() {
            Flux<String> assembled = streams.stream("a", Flux.just("one"));
            assertThat(streams.invocations()).hasValue(0);
            assertThat(backend.grantedKeys()).isEmpty();
            StepVerifier.create(assembled).expectNext("one").verifyComplete();
            assertThat(streams.invocations()).hasValue(1);
            assertThat(backend.grantedKeys()).containsExactly("stream:a");
        }

        @Test
        void invokesTheMethodOnceForEachSubscriptionEachUnderALeaseOfItsOwn() {
            Mono<Long> token = streams.token("a", 0L);
            long first = token.block(TestTimings.EVENTUALLY);
            long second = token.block(TestTimings.EVENTUALLY);
            assertThat(second).isGreaterThan(first);
            assertThat(backend.grantedKeys()).containsExactly("token:a", "token:a");
        }

        @Test
        void secondSubscriptionWaitsWhileTheFirstFluxIsStillEmitting() {
            Sinks.Many<String> first = Sinks.many().unicast().onBackpressureBuffer();
            List<String> firstSeen = new ArrayList<>();
            Disposable firstSubscription = streams.stream("a", first.asFlux()).subscribe(firstSeen::add);
            first.tryEmitNext("first-1");
            await().atMost(TestTimings.EVENTUALLY).until(() -> firstSeen.contains("first-1"));
            StepVerifier.create(streams.stream("a", Flux.just("second")))
                .expectSubscription()
                .expectNoEvent(TestTimings.RACE_WINDOW.multipliedBy(10))
                .then(() -> assertThat(streams.invocations()).as("invocations while the first emits").hasValue(1))
                .then(() -> first.tryEmitNext("first-2"))
                .then(first::tryEmitComplete)
                .expectNext("second")
                .expectComplete()
                .verify(TestTimings.EVENTUALLY);
            assertThat(firstSeen).containsExactly("first-1", "first-2");
            assertThat(firstSubscription.isDisposed()).isTrue();
        }

        @Test
        void overlappingSubscriptionsOfOneKeyNeverRunAtTheSameTime() {
            List<Flux<String>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // Each subscription's work runs later, on another thread: only a lock held until it ends keeps it
                // apart from the others.
                calls.add(streams.stream("hot", Flux.range(0, 4).delayElements(TestTimings.RACE_WINDOW,
                        Schedulers.parallel()).map(String::valueOf)));
            }
            Flux.merge(calls).blockLast(TestTimings.EVENTUALLY);
            assertThat(streams.mostRunningAtOnce()).as("subscriptions running at once").hasValue(1);
            assertThat(streams.invocations()).hasValue(6);
        }

        @Test
        void skipCompletesEmptyWithoutInvokingTheMethodWhileTheFirstFluxIsStillEmitting() {
            Sinks.Many<String> first = Sinks.many().unicast().onBackpressureBuffer();
            Disposable held = streams.stream("a", first.asFlux()).subscribe();
            await().atMost(TestTimings.EVENTUALLY).until(() -> streams.invocations().get() == 1);
            StepVerifier.create(streams.streamOrSkip("a", Flux.just("skipped?"))).verifyComplete();
            StepVerifier.create(streams.chargeOrSkip("a", Mono.just("skipped?"))).verifyComplete();
            assertThat(streams.invocations()).hasValue(1);
            first.tryEmitComplete();
            await().atMost(TestTimings.EVENTUALLY).until(() -> isFree("stream:a"));
            held.dispose();
        }

        @Test
        void failSignalsLockNotAcquiredExceptionNamingTheMethod() {
            Sinks.Many<String> first = Sinks.many().unicast().onBackpressureBuffer();
            Disposable held = streams.stream("a", first.asFlux()).subscribe();
            await().atMost(TestTimings.EVENTUALLY).until(() -> streams.invocations().get() == 1);
            StepVerifier.create(streams.chargeOrFail("a", Mono.just("never")))
                .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(LockNotAcquiredException.class)
                    .hasMessageContaining("Streams.chargeOrFail(String, Mono)")
                    .hasMessageContaining("did not run"))
                .verify(TestTimings.EVENTUALLY);
            assertThat(streams.invocations()).hasValue(1);
            held.dispose();
        }

        @Test
        void subscribingReturnsWhileTheBackendCallIsStillInFlightBecauseNoCallerThreadMakesIt() throws Exception {
            CountDownLatch stall = new CountDownLatch(1);
            backend.stallAcquireRepliesUntil(stall);
            List<String> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Disposable> subscribed = CompletableFuture
                .supplyAsync(() -> streams.stream("a", Flux.just("x")).subscribe(seen::add));
            assertThat(backend.acquireApplied().await(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
            // subscribe() has returned although the acquire it started is still waiting for the backend's reply.
            assertThat(subscribed.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
            assertThat(seen).isEmpty();
            backend.stallAcquireRepliesUntil(null);
            stall.countDown();
            await().atMost(TestTimings.EVENTUALLY).until(() -> seen.contains("x"));
        }

        @Test
        void backendDownSignalsLockUnavailableExceptionWithoutInvokingTheMethod() {
            backend.unreachable(true);
            StepVerifier.create(streams.stream("a", Flux.just("never")))
                .expectError(LockUnavailableException.class)
                .verify(TestTimings.EVENTUALLY);
            assertThat(streams.invocations()).hasValue(0);
        }

    }

    @Nested
    @DisplayName("termination")
    class Termination {

        @Test
        void completionReleasesTheLockBeforeAMonosValueReachesTheSubscriber() {
            StepVerifier.create(streams.charge("a", Mono.just("charged")).map(value -> value + ", free=" + isFree("stream:a")))
                .expectNext("charged, free=true")
                .verifyComplete();
        }

        @Test
        void cancellationReleasesTheLockAtOnce() {
            Disposable subscription = streams.stream("a", Flux.never()).subscribe();
            await().atMost(TestTimings.EVENTUALLY).until(() -> streams.invocations().get() == 1);
            assertThat(isFree("stream:a")).isFalse();
            subscription.dispose();
            await().atMost(TestTimings.EVENTUALLY).until(() -> isFree("stream:a"));
        }

        @Test
        void cancellationWhileWaitingForTheLockLeavesNoLeaseAndNeverInvokesTheMethod() {
            Lease holder = lockClient.tryAcquire(LockRequest.of("stream:a", Duration.ofSeconds(30)).withReentrant(false))
                .orElseThrow();
            Disposable waiting = streams.stream("a", Flux.just("never")).subscribe();
            await().atMost(TestTimings.EVENTUALLY).until(() -> ((LockEngine) lockClient).waiterCount() == 1);
            waiting.dispose();
            await().atMost(TestTimings.EVENTUALLY).until(() -> ((LockEngine) lockClient).waiterCount() == 0);
            holder.release();
            assertThat(isFree("stream:a")).isTrue();
            assertThat(streams.invocations()).hasValue(0);
        }

        @Test
        void anErrorReleasesTheLockAndReachesTheSubscriber() {
            StepVerifier.create(streams.stream("a", Flux.concat(Flux.just("one"),
                    Flux.error(new IllegalStateException("gateway timeout")))))
                .expectNext("one")
                .expectErrorMessage("gateway timeout")
                .verify(TestTimings.EVENTUALLY);
            await().atMost(TestTimings.EVENTUALLY).until(() -> isFree("stream:a"));
        }

        @Test
        void aMethodThatThrowsInsteadOfReturningAPublisherReleasesTheLockAndSignalsTheError() {
            StepVerifier.create(streams.throwing("a"))
                .expectErrorMessage("refused at assembly")
                .verify(TestTimings.EVENTUALLY);
            await().atMost(TestTimings.EVENTUALLY).until(() -> isFree("throwing:a"));
        }

    }

    @Nested
    @DisplayName("the running publisher")
    class RunningPublisher {

        @Test
        void findsItsLeaseInTheReactorContextAndInLockContextWhileTheMethodAssemblesIt() {
            StepVerifier.create(streams.leaseKeys("a")).expectNext("ctx:a / ctx:a").verifyComplete();
        }

        @Test
        void isRenewedWhileItRunsPastItsLeaseTime() {
            StepVerifier.create(streams.renewed("a", Mono.delay(TestTimings.OUTLIVE_SHORT_LEASE).thenReturn("done")))
                .expectNext("done")
                .verifyComplete();
        }

        @Test
        void thatLosesItsLeaseGetsLeaseLostExceptionAsAnErrorSignalAtOnce() {
            StepVerifier.create(streams.outlive("a", Flux.never()))
                .expectSubscription()
                .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("Streams.outlive(String, Flux)"))
                .verify(TestTimings.EVENTUALLY);
            assertThat(backend.releaseCalls()).as("releases of the lost lease").isEqualTo(1);
        }

        @Test
        void thatLosesItsLeaseCompletesWithALogWhenLeaseLossIsLogged() {
            try (AnnotationConfigApplicationContext logging = startContext(LeaseLostAction.LOG)) {
                Streams streams = logging.getBean(Streams.class);
                StepVerifier.create(streams.outlive("a",
                        Mono.delay(TestTimings.OUTLIVE_SHORT_LEASE).thenReturn("done").flux()))
                    .expectNext("done")
                    .verifyComplete();
            }
        }

    }

    /** Reactive methods over one key each; counts invocations and how many subscriptions run at once. */
    static class Streams {

        final AtomicInteger invocations = new AtomicInteger();

        final AtomicInteger running = new AtomicInteger();

        final AtomicInteger mostRunningAtOnce = new AtomicInteger();

        // Read through methods: the test holds the class-based proxy, whose own fields are never set.
        public AtomicInteger invocations() {
            return this.invocations;
        }

        public AtomicInteger mostRunningAtOnce() {
            return this.mostRunningAtOnce;
        }

        private <T> Flux<T> counted(Flux<T> work) {
            this.invocations.incrementAndGet();
            return work.doOnSubscribe(subscription -> this.mostRunningAtOnce
                    .accumulateAndGet(this.running.incrementAndGet(), Math::max))
                // Before the end reaches the interceptor, which releases the lock (doFinally would run after it).
                .doOnTerminate(this.running::decrementAndGet)
                .doOnCancel(this.running::decrementAndGet);
        }

        @DistributedLock(name = "stream", key = "#id")
        public Flux<String> stream(String id, Flux<String> work) {
            return counted(work);
        }

        @DistributedLock(name = "stream", key = "#id")
        public Mono<String> charge(String id, Mono<String> work) {
            return counted(work.flux()).next();
        }

        @DistributedLock(name = "stream", key = "#id", whenLocked = WhenLocked.SKIP)
        public Flux<String> streamOrSkip(String id, Flux<String> work) {
            return counted(work);
        }

        @DistributedLock(name = "stream", key = "#id", whenLocked = WhenLocked.SKIP)
        public Mono<String> chargeOrSkip(String id, Mono<String> work) {
            return counted(work.flux()).next();
        }

        @DistributedLock(name = "stream", key = "#id", whenLocked = WhenLocked.FAIL)
        public Mono<String> chargeOrFail(String id, Mono<String> work) {
            return counted(work.flux()).next();
        }

        @DistributedLock(name = "token", key = "#id")
        public Mono<Long> token(String id, @FencingToken long token) {
            return Mono.just(token);
        }

        @DistributedLock(name = "throwing", key = "#id")
        public Mono<String> throwing(String id) {
            throw new IllegalStateException("refused at assembly");
        }

        @DistributedLock(name = "ctx", key = "#id")
        public Mono<String> leaseKeys(String id) {
            String assembledUnder = LockContext.current().key();
            return ReactiveLockContext.currentLease()
                .publishOn(Schedulers.parallel())
                .map(lease -> lease.key() + " / " + assembledUnder);
        }

        @DistributedLock(name = "renewed", key = "#id", leaseTime = "300ms")
        public Mono<String> renewed(String id, Mono<String> work) {
            return work;
        }

        @DistributedLock(name = "short", key = "#id", leaseTime = "300ms", autoRenew = false)
        public Flux<String> outlive(String id, Flux<String> work) {
            return work;
        }

    }

}
