package io.github.distlock.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link LockEngine#acquireAsync}: the same waiting rules as {@code acquire} (queue, notification, backoff) with no
 * thread parked, backend calls off the caller's thread, cancellation that leaves no lease, and leases that are never
 * thread-reentrant.
 */
class LockEngineAsyncAcquireTests extends EngineTestSupport {

    private final String key = uniqueKey();

    private LockRequest waiting() {
        return request(this.key, TestTimings.LONG_LEASE).withWaitTime(TestTimings.LONG_WAIT);
    }

    private static Lease outcome(CompletableFuture<Lease> future) throws Exception {
        try {
            return future.get(TestTimings.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException ex) {
            throw (ex.getCause() instanceof Exception cause) ? cause : ex;
        }
    }

    @Nested
    @DisplayName("a free key")
    class FreeKey {

        @Test
        void isGrantedWithAHeldLeaseFromABackendCallOffTheCallersThread() throws Exception {
            RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();
            LockEngine engine = engineOver(backend);
            try (Lease lease = outcome(engine.acquireAsync(waiting()))) {
                assertThat(lease.isHeld()).isTrue();
                assertThat(lease.key()).isEqualTo(key);
            }
            assertThat(backend.acquireThreads).hasSize(1).allSatisfy(thread -> assertThat(thread)
                .startsWith("distlock-acquire-").isNotEqualTo(Thread.currentThread().getName()));
        }

        @Test
        void isNeverReenteredByTheThreadThatCompletedTheFuture() throws Exception {
            LockEngine engine = engineOver(new InMemoryLeaseBackend());
            // The dependent stage runs on the acquire thread that made the grant; a reentrant request there must not
            // receive a second handle to a lease that belongs to asynchronous work.
            CompletableFuture<Optional<Lease>> reentered = engine.acquireAsync(waiting())
                .thenApply(lease -> engine.tryAcquire(request(key, TestTimings.LONG_LEASE)));
            assertThat(reentered.get(TestTimings.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isEmpty();
        }

    }

    @Nested
    @DisplayName("a held key")
    class HeldKey {

        @Test
        void isGrantedOnceTheHolderReleasesOverTheBackendsQueue() throws Exception {
            assertGrantedAfterRelease(new InMemoryLeaseBackend());
        }

        @Test
        void isGrantedOnceTheHolderReleasesOverReleaseNotification() throws Exception {
            assertGrantedAfterRelease(RecordingLeaseBackend.notifying());
        }

        @Test
        void isGrantedOnceTheHolderReleasesWithBackoffAlone() throws Exception {
            assertGrantedAfterRelease(new RecordingLeaseBackend());
        }

        private void assertGrantedAfterRelease(LeaseBackend backend) throws Exception {
            LockEngine engine = engineOver(backend);
            Lease held = engine.acquire(request(key, TestTimings.LONG_LEASE));
            CompletableFuture<Lease> waiter = engine.acquireAsync(waiting());
            await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == 1);
            assertThat(waiter).isNotDone();
            held.release();
            try (Lease granted = outcome(waiter)) {
                assertThat(granted.isHeld()).isTrue();
                assertThat(granted.ownerToken()).isNotEqualTo(held.ownerToken());
            }
            assertThat(engine.waiterCount()).isZero();
        }

        @Test
        void isAwaitedByFarMoreCallersThanTheEngineHasThreadsBecauseNoneParksAThread() throws Exception {
            LockEngine engine = engineOver(new InMemoryLeaseBackend());
            int callers = 10 * LockEngineSettings.DEFAULT_RENEWAL_THREADS;
            Lease held = engine.acquire(request(key, TestTimings.LONG_LEASE));
            List<CompletableFuture<Lease>> waiters = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                waiters.add(engine.acquireAsync(waiting()));
            }
            // A waiter is counted after its first refused attempt: all of them made one although only a few acquire
            // threads exist, so no waiter holds a thread while it waits.
            await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == callers);
            held.release();
            AtomicInteger holders = new AtomicInteger();
            AtomicInteger mostHolders = new AtomicInteger();
            for (CompletableFuture<Lease> waiter : waiters) {
                waiter.thenAccept(lease -> {
                    mostHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                    holders.decrementAndGet();
                    lease.release();
                });
            }
            CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new))
                .get(TestTimings.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(mostHolders).as("holders at once").hasValue(1);
            assertThat(engine.waiterCount()).isZero();
        }

        @Test
        void failsWithLockNotAcquiredExceptionOnceTheWaitTimeHasPassed() throws Exception {
            LockEngine engine = engineOver(new InMemoryLeaseBackend());
            Lease held = engine.acquire(request(key, TestTimings.LONG_LEASE));
            long start = System.nanoTime();
            CompletableFuture<Lease> waiter = engine.acquireAsync(waiting().withWaitTime(TestTimings.SHORT_WAIT));
            assertThatThrownBy(() -> outcome(waiter)).isInstanceOfSatisfying(LockNotAcquiredException.class,
                    ex -> assertThat(ex.getWaitTime()).isEqualTo(TestTimings.SHORT_WAIT));
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TestTimings.SHORT_WAIT.toNanos());
            assertThat(held.isHeld()).isTrue();
            assertThat(engine.waiterCount()).isZero();
            held.release();
        }

        @Test
        void withoutAWaitTimeIsAskedExactlyOnce() throws Exception {
            RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();
            LockEngine engine = engineOver(backend);
            Lease held = engine.acquire(request(key, TestTimings.LONG_LEASE));
            assertThatThrownBy(() -> outcome(engine.acquireAsync(request(key, TestTimings.LONG_LEASE))))
                .isInstanceOf(LockNotAcquiredException.class);
            assertThat(backend.acquireCalls).hasValue(2);
            held.release();
        }

    }

    @Nested
    @DisplayName("cancelling the future")
    class Cancelling {

        @Test
        void whileWaitingEndsTheWaitAndLeavesNothingInTheBackend() throws Exception {
            InMemoryLeaseBackend backend = new InMemoryLeaseBackend();
            LockEngine engine = engineOver(backend);
            Lease held = engine.acquire(request(key, TestTimings.LONG_LEASE));
            CompletableFuture<Lease> waiter = engine.acquireAsync(waiting());
            await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == 1);
            assertThat(waiter.cancel(false)).isTrue();
            await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == 0);
            held.release();
            // The queue entry was left, so the release handed the key to nobody: nothing is stored for the key.
            await().atMost(TestTimings.PATIENCE).until(() -> backend.storedEntryCount() == 0);
            assertThat(freeForAnotherThread(engine, key)).isTrue();
            assertThat(engine.heldLeaseCount()).isZero();
        }

        @Test
        void whileTheGrantingAttemptIsInFlightReleasesTheGrant() throws Exception {
            RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();
            LockEngine engine = engineOver(backend);
            backend.stallAcquireReplyUntil = new CountDownLatch(1);
            CompletableFuture<Lease> acquire = engine.acquireAsync(waiting());
            assertThat(backend.acquireApplied.await(TestTimings.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(acquire.cancel(false)).isTrue();
            backend.stallAcquireReplyUntil.countDown();
            await().atMost(TestTimings.PATIENCE).until(() -> backend.releaseCalls.get() == 1);
            assertThat(backend.releaseOwners).containsExactly(backend.acquireOwners.get(0));
            assertThat(backend.delegate.storedEntryCount()).isZero();
            assertThat(engine.heldLeaseCount()).isZero();
            assertThatThrownBy(acquire::join).isInstanceOf(CancellationException.class);
        }

    }

    @Nested
    @DisplayName("failures")
    class Failures {

        @Test
        void backendThatThrowsFailsTheFutureWithLockUnavailableException() throws Exception {
            RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();
            backend.failAcquire = true;
            LockEngine engine = engineOver(backend);
            assertThatThrownBy(() -> outcome(engine.acquireAsync(waiting()))).isInstanceOf(LockUnavailableException.class)
                .hasMessageContaining(key);
            assertThat(engine.heldLeaseCount()).isZero();
        }

        @Test
        void invalidRequestIsRejectedBeforeAnyBackendCall() {
            RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();
            backend.maxKeyLength = 4;
            LockEngine engine = engineOver(backend);
            assertThatIllegalArgumentException().isThrownBy(() -> engine.acquireAsync(waiting()));
            assertThat(backend.calls()).isZero();
        }

        @Test
        void closingTheEngineEndsAWaitWithIllegalStateException() throws Exception {
            LockEngine engine = engineOver(new InMemoryLeaseBackend());
            Lease held = engine.acquire(request(key, TestTimings.LONG_LEASE));
            CompletableFuture<Lease> waiter = engine.acquireAsync(waiting());
            await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == 1);
            engine.close();
            assertThatThrownBy(() -> outcome(waiter)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
            assertThat(held.isHeld()).isFalse();
        }

    }

}
