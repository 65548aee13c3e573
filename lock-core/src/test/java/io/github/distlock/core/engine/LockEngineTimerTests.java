package io.github.distlock.core.engine;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the engine's timer pays for short critical sections: nothing per lease. Renewal and loss of the leases that
 * stay are tested in {@link LockEngineRenewalTests} and {@link LeaseLossSignallingTests}.
 */
class LockEngineTimerTests extends EngineTestSupport {

    private static final int LEASES = 1000;

    @Test
    void leasesReleasedBeforeTheTickNeverPutATaskOnTheTimer() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        for (int i = 0; i < LEASES; i++) {
            engine.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE)).orElseThrow().release();
        }
        // Scheduling the renewal and the expiry of each lease would be 2 tasks per lease; only the ticks remain,
        // at most one per tick interval that saw a lease.
        assertThat(engine.timerTasksScheduled()).as("timer tasks for %d short critical sections", LEASES)
                .isLessThan(LEASES / 10);
    }

    @Test
    void aLeaseHeldPastTheTickGetsItsRenewalAndExpiryOnTheTimer() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        try (Lease lease = engine.tryAcquire(LockRequest.of(uniqueKey(), TestTimings.LONG_LEASE)).orElseThrow()) {
            await().atMost(TestTimings.PATIENCE).until(() -> engine.timerTasksScheduled() >= 3);
            assertThat(lease.isHeld()).isTrue();
        }
    }

    @Test
    void aLeaseWhoseRenewalIsDueWithinThreeTicksIsScheduledAtOnce() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        try (Lease lease = engine.tryAcquire(LockRequest.of(uniqueKey(), TestTimings.RAPID_LEASE)).orElseThrow()) {
            assertThat(engine.timerTasksScheduled()).as("tasks right after the grant").isEqualTo(2);
        }
    }

}
