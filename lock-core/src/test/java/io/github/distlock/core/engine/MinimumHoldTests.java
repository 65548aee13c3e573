package io.github.distlock.core.engine;

import java.time.Duration;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request's minimum hold: a lease released sooner stays held in the backend until the hold has passed since the
 * grant, then the engine releases it without anyone waiting for it.
 */
class MinimumHoldTests extends EngineTestSupport {

    private static final Duration MIN_HOLD = Duration.ofMillis(400);

    private final RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();

    private final LockEngine engine = engineOver(this.backend);

    private final String key = uniqueKey();

    private LockRequest heldAtLeast(Duration minHold) {
        return LockRequest.of(this.key, TestTimings.LONG_LEASE).withMinHold(minHold);
    }

    @Test
    void keyReleasedBeforeItsMinimumHoldStaysHeldUntilTheHoldHasPassed() throws Exception {
        long granted = System.nanoTime();
        Lease lease = this.engine.tryAcquire(heldAtLeast(MIN_HOLD)).orElseThrow();
        lease.release();
        assertThat(lease.isHeld()).isFalse();
        assertThat(freeForAnotherThread(this.engine, this.key)).isFalse();
        await().atMost(MIN_HOLD.plus(TestTimings.PATIENCE)).until(() -> freeForAnotherThread(this.engine, this.key));
        assertThat(Duration.ofNanos(System.nanoTime() - granted)).isGreaterThanOrEqualTo(MIN_HOLD);
        assertThat(this.backend.releaseOwners).contains(lease.ownerToken());
    }

    @Test
    void releaseAfterTheMinimumHoldHasPassedFreesTheKeyAtOnce() throws Exception {
        Lease lease = this.engine.tryAcquire(heldAtLeast(Duration.ofMillis(20))).orElseThrow();
        pause(Duration.ofMillis(60));
        lease.release();
        assertThat(this.backend.releaseOwners).containsExactly(lease.ownerToken());
        assertThat(freeForAnotherThread(this.engine, this.key)).isTrue();
    }

    @Test
    void lingeringLeaseIsNeitherListedNorReenteredByItsThread() {
        Lease lease = this.engine.tryAcquire(heldAtLeast(MIN_HOLD)).orElseThrow();
        lease.release();
        assertThat(this.engine.heldLeaseCount()).isZero();
        // The same thread asks the backend again and is refused: its own next run must not slip in either.
        assertThat(this.engine.tryAcquire(heldAtLeast(MIN_HOLD))).isEmpty();
        assertThat(this.backend.releaseCalls).hasValue(0);
    }

    @Test
    void reentrantHoldWithAMinimumHoldKeepsTheKeyAfterTheOuterRelease() throws Exception {
        Lease outer = this.engine.tryAcquire(LockRequest.of(this.key, TestTimings.LONG_LEASE)).orElseThrow();
        Lease inner = this.engine.tryAcquire(heldAtLeast(MIN_HOLD)).orElseThrow();
        inner.release();
        outer.release();
        assertThat(freeForAnotherThread(this.engine, this.key)).isFalse();
        await().atMost(MIN_HOLD.plus(TestTimings.PATIENCE)).until(() -> freeForAnotherThread(this.engine, this.key));
    }

    @Test
    void closingTheEngineLeavesALingeringLeaseToExpireInTheBackend() throws Exception {
        InMemoryLeaseBackend shared = new InMemoryLeaseBackend();
        LockEngine closing = engineOver(shared);
        closing.tryAcquire(LockRequest.of(this.key, TestTimings.SHORT_LEASE).withMinHold(TestTimings.SHORT_LEASE))
            .orElseThrow()
            .release();
        closing.close();
        LockEngine other = engineOver(shared);
        assertThat(other.tryAcquire(LockRequest.of(this.key, TestTimings.LONG_LEASE))).isEmpty();
        await().atMost(TestTimings.SHORT_LEASE.plus(TestTimings.PATIENCE))
            .until(() -> freeForAnotherThread(other, this.key));
    }

}
