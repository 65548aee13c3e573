package io.github.distlock.core.engine;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The engine's acquire side: single attempts, waiting (notified and backed off), reentrancy, input validation
 * and failing closed. Renewal and loss are in {@link LockEngineRenewalTests}.
 */
class LockEngineTests extends EngineTestSupport {

    private final RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();

    private final LockEngine engine = engineOver(this.backend);

    private final String key = uniqueKey();

    private LockRequest longLease() {
        return request(this.key, TestTimings.LONG_LEASE);
    }

    private static boolean isWaiting(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    @Nested
    @DisplayName("acquiring")
    class Acquiring {

        @Test
        void tryAcquireGrantsAFreeKeyWithAHeldLease() throws Exception {
            LockEngine fencing = engineOver(new InMemoryLeaseBackend());
            try (Lease lease = fencing.tryAcquire(longLease()).orElseThrow()) {
                assertThat(lease.key()).isEqualTo(key);
                assertThat(lease.ownerToken()).isNotBlank();
                assertThat(lease.fencingToken()).isPresent();
                assertThat(lease.isHeld()).isTrue();
                assertThat(lease.remainingValidity()).isPositive();
                lease.checkHeld();
            }
            assertThat(fencing.supportsFencingTokens()).isTrue();
            assertThat(fencing.backendName()).isEqualTo("in-memory");
        }

        @Test
        void engineOverABackendWithoutFencingDoesNotClaimFencingTokens() throws Exception {
            assertThat(engineOver(new RecordingLeaseBackend()).supportsFencingTokens()).isFalse();
        }

        @Test
        void tryAcquireReturnsEmptyWhileAnotherThreadHoldsTheKey() throws Exception {
            Lease lease = engine.tryAcquire(longLease()).orElseThrow();
            assertThat(onAnotherThread(() -> engine.tryAcquire(longLease()))).isEmpty();
            lease.release();
            assertThat(freeForAnotherThread(engine, key)).isTrue();
        }

        @Test
        void releasedLeaseIsNoLongerHeldAndReportsNoValidity() throws Exception {
            Lease lease = engine.tryAcquire(longLease()).orElseThrow();
            lease.release();
            assertThat(lease.isHeld()).isFalse();
            assertThat(lease.remainingValidity()).isZero();
            assertThatThrownBy(lease::checkHeld).isInstanceOf(LeaseLostException.class);
        }

        @Test
        void releasingAHandleTwiceSendsOneRelease() throws Exception {
            Lease lease = engine.tryAcquire(longLease()).orElseThrow();
            lease.release();
            lease.close();
            assertThat(backend.releaseCalls).hasValue(1);
            assertThat(backend.releaseOwners).containsExactly(lease.ownerToken());
        }

        @Test
        void callWithLockRunsTheActionUnderTheLockAndReleasesAfterwards() throws Exception {
            String result = engine.callWithLock(longLease(), () -> {
                assertThat(freeForAnotherThread(engine, key)).as("free while the action runs").isFalse();
                return "done";
            });
            assertThat(result).isEqualTo("done");
            assertThat(freeForAnotherThread(engine, key)).isTrue();
        }

        @Test
        void callWithLockReleasesWhenTheActionThrows() throws Exception {
            assertThatThrownBy(() -> engine.callWithLock(longLease(), () -> {
                throw new IOException("action failed");
            })).isInstanceOf(IOException.class).hasMessage("action failed");
            assertThat(freeForAnotherThread(engine, key)).isTrue();
        }

        @Test
        void fencingTokensIncreaseFromOneLeaseToTheNext() throws Exception {
            LockEngine fencing = engineOver(new InMemoryLeaseBackend());
            Lease first = fencing.tryAcquire(longLease()).orElseThrow();
            first.release();
            try (Lease second = fencing.tryAcquire(longLease()).orElseThrow()) {
                assertThat(second.fencingToken().getAsLong()).isGreaterThan(first.fencingToken().getAsLong());
            }
        }

    }

    @Nested
    @DisplayName("waiting")
    class Waiting {

        @Test
        void acquireWaitsForAReleaseAndWakesOnItsNotification() throws Exception {
            Lease held = engine.acquire(longLease());
            Background<Lease> waiter = startOnAnotherThread(
                    () -> engine.acquire(longLease().withWaitTime(TestTimings.LONG_WAIT)));
            await().atMost(TestTimings.PATIENCE)
                    .until(() -> backend.acquireCalls.get() >= 2 && isWaiting(waiter.thread()));
            held.release();
            try (Lease acquired = waiter.get()) {
                assertThat(acquired.isHeld()).isTrue();
                assertThat(acquired.ownerToken()).isNotEqualTo(held.ownerToken());
            }
            // The holder's attempt, the waiter's refused attempt and one more after the notification: no polling.
            assertThat(backend.acquireCalls).hasValue(3);
        }

        @Test
        void acquireThrowsLockNotAcquiredExceptionAfterWaitingTheWholeWaitTime() throws Exception {
            Lease held = engine.acquire(longLease());
            long start = System.nanoTime();
            assertThatThrownBy(() -> onAnotherThread(() -> engine.acquire(longLease().withWaitTime(TestTimings.SHORT_WAIT))))
                    .isInstanceOfSatisfying(LockNotAcquiredException.class, ex -> {
                        assertThat(ex.getKey()).isEqualTo(key);
                        assertThat(ex.getWaitTime()).isEqualTo(TestTimings.SHORT_WAIT);
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(TestTimings.SHORT_WAIT);
            assertThat(held.isHeld()).isTrue();
            held.release();
        }

        @Test
        void acquireWithoutWaitTimeMakesExactlyOneAttempt() throws Exception {
            Lease held = engine.acquire(longLease());
            assertThatThrownBy(() -> onAnotherThread(() -> engine.acquire(longLease())))
                    .isInstanceOf(LockNotAcquiredException.class);
            assertThat(backend.acquireCalls).hasValue(2);
            held.release();
        }

        @Test
        void interruptWhileWaitingForANotificationThrowsInterruptedExceptionAndHoldsNoLease() throws Exception {
            assertInterruptEndsTheWaitWithoutALease(backend);
        }

        @Test
        void interruptWhileBackingOffThrowsInterruptedExceptionAndHoldsNoLease() throws Exception {
            assertInterruptEndsTheWaitWithoutALease(new RecordingLeaseBackend());
        }

        private void assertInterruptEndsTheWaitWithoutALease(RecordingLeaseBackend backend) throws Exception {
            LockEngine engine = engineOver(backend);
            Lease held = engine.acquire(longLease());
            Background<Lease> waiter = startOnAnotherThread(
                    () -> engine.acquire(longLease().withWaitTime(TestTimings.LONG_WAIT)));
            await().atMost(TestTimings.PATIENCE)
                    .until(() -> backend.acquireCalls.get() >= 2 && isWaiting(waiter.thread()));
            waiter.thread().interrupt();
            assertThatThrownBy(waiter::get).isInstanceOf(InterruptedException.class);
            held.release();
            assertThat(backend.delegate.storedEntryCount()).as("leases left in the backend").isZero();
            assertThat(freeForAnotherThread(engine, key)).isTrue();
        }

        @Test
        void interruptedThreadIsRefusedBeforeAnyBackendCall() throws Exception {
            boolean refused = onAnotherThread(() -> {
                Thread.currentThread().interrupt();
                try {
                    engine.acquire(longLease().withWaitTime(TestTimings.LONG_WAIT));
                    return false;
                }
                catch (InterruptedException ex) {
                    return true;
                }
            });
            assertThat(refused).isTrue();
            assertThat(backend.calls()).isZero();
        }

        @Test
        void waitingWithoutNotificationBacksOffInsteadOfSpinning() throws Exception {
            RecordingLeaseBackend silent = new RecordingLeaseBackend();
            LockEngine engine = engineOver(silent);
            Lease held = engine.acquire(longLease());
            Background<Lease> waiter = startOnAnotherThread(
                    () -> engine.acquire(longLease().withWaitTime(TestTimings.LONG_WAIT)));
            pause(TestTimings.QUIET_PERIOD);
            int attemptsWhileHeld = silent.acquireCalls.get() - 1;
            held.release();
            try (Lease acquired = waiter.get()) {
                assertThat(acquired.isHeld()).isTrue();
            }
            // Backoff from 10 ms doubling to 500 ms makes about six attempts in 500 ms; a spinning waiter thousands.
            assertThat(attemptsWhileHeld).as("attempts during %s", TestTimings.QUIET_PERIOD).isBetween(1, 59);
        }

        @Test
        void waiterWithoutNotificationAcquiresOnceAnUnrenewedHolderExpires() throws Exception {
            RecordingLeaseBackend silent = new RecordingLeaseBackend();
            LockEngine engine = engineOver(silent);
            long start = System.nanoTime();
            Lease held = engine.acquire(request(key, TestTimings.SHORT_LEASE).withAutoRenew(false));
            try (Lease acquired = onAnotherThread(() -> engine.acquire(longLease().withWaitTime(TestTimings.LONG_WAIT)))) {
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until the expired key was granted")
                        .isGreaterThanOrEqualTo(TestTimings.SHORT_LEASE);
                assertThat(acquired.isHeld()).isTrue();
                assertThat(held.isHeld()).isFalse();
            }
            held.release();
        }

    }

    @Nested
    @DisplayName("reentrancy")
    class Reentrancy {

        @Test
        void sameThreadReentersWithoutABackendCall() throws Exception {
            Lease outer = engine.acquire(longLease());
            int calls = backend.calls();
            Lease inner = engine.acquire(longLease().withWaitTime(TestTimings.LONG_WAIT));
            Lease innermost = engine.tryAcquire(longLease()).orElseThrow();
            assertThat(backend.calls()).as("backend calls for reentrant acquires").isEqualTo(calls);
            assertThat(inner).isNotSameAs(outer);
            assertThat(inner.ownerToken()).isEqualTo(outer.ownerToken());
            assertThat(innermost.ownerToken()).isEqualTo(outer.ownerToken());
            innermost.release();
            inner.release();
            outer.release();
            assertThat(backend.releaseCalls).hasValue(1);
        }

        @Test
        void nestedReleaseDoesNotDropTheOuterHold() throws Exception {
            Lease outer = engine.acquire(longLease());
            Lease inner = engine.acquire(longLease());
            inner.release();
            inner.release();
            assertThat(inner.isHeld()).isFalse();
            assertThat(outer.isHeld()).isTrue();
            outer.checkHeld();
            assertThat(backend.releaseCalls).hasValue(0);
            assertThat(freeForAnotherThread(engine, key)).isFalse();
            outer.release();
            assertThat(freeForAnotherThread(engine, key)).isTrue();
        }

        @Test
        void leaseIsReleasedWithItsLastHandleWhicheverThatIs() throws Exception {
            Lease outer = engine.acquire(longLease());
            Lease inner = engine.acquire(longLease());
            outer.release();
            assertThat(inner.isHeld()).isTrue();
            assertThat(freeForAnotherThread(engine, key)).isFalse();
            inner.release();
            assertThat(backend.releaseCalls).hasValue(1);
            assertThat(freeForAnotherThread(engine, key)).isTrue();
        }

        @Test
        void nestedCallWithLockKeepsTheOuterHold() throws Exception {
            String result = engine.callWithLock(longLease(), () -> {
                engine.callWithLock(longLease(), () -> "inner");
                assertThat(backend.acquireCalls).as("backend attempts of both calls").hasValue(1);
                assertThat(freeForAnotherThread(engine, key)).as("free after the inner call returned").isFalse();
                return "outer";
            });
            assertThat(result).isEqualTo("outer");
            assertThat(freeForAnotherThread(engine, key)).isTrue();
        }

        @Test
        void nonReentrantRequestFromTheHoldingThreadDoesNotReenter() throws Exception {
            Lease outer = engine.acquire(longLease());
            assertThat(engine.tryAcquire(longLease().withReentrant(false))).isEmpty();
            assertThat(backend.acquireCalls).as("the non-reentrant request asked the backend").hasValue(2);
            outer.release();
        }

        @Test
        void reentrantRequestDoesNotReenterANonReentrantHold() throws Exception {
            Lease outer = engine.acquire(longLease().withReentrant(false));
            assertThat(engine.tryAcquire(longLease())).isEmpty();
            outer.release();
        }

        @Test
        void threadAcquiresAfreshOnceItsLastHandleWasReleasedOnAnotherThread() throws Exception {
            Lease first = engine.acquire(longLease());
            onAnotherThread(() -> {
                first.release();
                return null;
            });
            try (Lease second = engine.acquire(longLease())) {
                assertThat(second.ownerToken()).isNotEqualTo(first.ownerToken());
                assertThat(backend.acquireCalls).hasValue(2);
            }
        }

        @Test
        void reenteringALeaseWhoseValidityPassedThrowsLeaseLostException() throws Exception {
            Lease outer = engine.acquire(request(key, TestTimings.SHORT_LEASE).withAutoRenew(false));
            pause(TestTimings.SHORT_LEASE.multipliedBy(4).dividedBy(3));
            assertThatThrownBy(() -> engine.acquire(request(key, TestTimings.SHORT_LEASE)))
                    .isInstanceOf(LeaseLostException.class);
            assertThat(backend.acquireCalls).hasValue(1);
            outer.release();
        }

    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        private void assertRejectedBeforeAnyBackendCall(LockEngine engine, LockRequest request) {
            AtomicBoolean ran = new AtomicBoolean();
            assertThatIllegalArgumentException().isThrownBy(() -> engine.tryAcquire(request));
            assertThatIllegalArgumentException().isThrownBy(() -> engine.acquire(request));
            assertThatIllegalArgumentException().isThrownBy(() -> engine.callWithLock(request, () -> {
                ran.set(true);
                return null;
            }));
            assertThat(ran).as("the protected action ran").isFalse();
            assertThat(backend.calls()).as("backend calls").isZero();
        }

        @Test
        void keyLongerThanTheBackendAcceptsIsRejectedBeforeAnyBackendCall() throws Exception {
            backend.maxKeyLength = 16;
            assertRejectedBeforeAnyBackendCall(engine, request("k".repeat(17), TestTimings.LONG_LEASE));
            engine.tryAcquire(request(uniqueKey().substring(0, 16), TestTimings.LONG_LEASE)).orElseThrow().release();
        }

        @Test
        void leaseNoLongerThanTheDriftAllowanceIsRejectedBeforeAnyBackendCall() throws Exception {
            Duration lease = Duration.ofMillis(1);
            assertThat(engine.settings().clockDriftFor(lease)).isGreaterThanOrEqualTo(lease);
            assertRejectedBeforeAnyBackendCall(engine, request(key, lease));
        }

        @Test
        void closedEngineRefusesToAcquireBeforeAnyBackendCall() throws Exception {
            engine.close();
            assertThatThrownBy(() -> engine.tryAcquire(longLease())).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> engine.acquire(longLease())).isInstanceOf(IllegalStateException.class);
            assertThat(backend.calls()).isZero();
            assertThat(backend.delegate.storedEntryCount()).isZero();
        }

    }

    @Nested
    @DisplayName("backend failure")
    class BackendFailure {

        @Test
        void backendThatThrowsOnAcquireGivesLockUnavailableExceptionAndIsAskedToReleaseTheSameOwner() throws Exception {
            backend.failAcquire = true;
            assertThatThrownBy(() -> engine.tryAcquire(longLease())).isInstanceOf(LockUnavailableException.class)
                    .hasCauseInstanceOf(IllegalStateException.class);
            assertThat(backend.acquireOwners).hasSize(1);
            String owner = backend.acquireOwners.get(0);
            await().atMost(TestTimings.PATIENCE).untilAsserted(() -> assertThat(backend.releaseOwners).contains(owner));
        }

        @Test
        void acquireFailsAtOnceWithoutRetryingWhenTheBackendThrows() throws Exception {
            backend.failAcquire = true;
            assertThatThrownBy(() -> engine.acquire(longLease().withWaitTime(TestTimings.LONG_WAIT)))
                    .isInstanceOf(LockUnavailableException.class);
            assertThat(backend.acquireCalls).hasValue(1);
        }

        @Test
        void callWithLockDoesNotRunTheActionWhenTheBackendThrows() throws Exception {
            backend.failAcquire = true;
            AtomicBoolean ran = new AtomicBoolean();
            assertThatThrownBy(() -> engine.callWithLock(longLease(), () -> {
                ran.set(true);
                return null;
            })).isInstanceOf(LockUnavailableException.class);
            assertThat(ran).isFalse();
        }

        @Test
        void acquireAppliedWithItsReplyLostLeavesNoOrphanedKey() throws Exception {
            backend.loseAcquireReply = true;
            assertThatThrownBy(() -> engine.tryAcquire(longLease())).isInstanceOf(LockUnavailableException.class);
            backend.loseAcquireReply = false;
            await().atMost(TestTimings.PATIENCE).until(() -> freeForAnotherThread(engine, key));
        }

        @Test
        void failedAcquireLeavesTheThreadWithoutAHold() throws Exception {
            backend.failAcquire = true;
            assertThatThrownBy(() -> engine.tryAcquire(longLease())).isInstanceOf(LockUnavailableException.class);
            backend.failAcquire = false;
            try (Lease lease = engine.tryAcquire(longLease()).orElseThrow()) {
                assertThat(backend.acquireCalls).as("a fresh attempt, not a re-entry").hasValue(2);
                assertThat(lease.isHeld()).isTrue();
            }
        }

    }

}
