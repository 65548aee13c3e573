package io.github.distlock.core.inmemory;

import java.time.Duration;
import java.util.UUID;

import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.engine.LockEngine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the contract kit cannot see from outside: the in-memory backend's map stays bounded. Its behaviour as a
 * backend is covered by the contract kit in lock-test-kit.
 */
class InMemoryLeaseBackendTests {

    /** A lease that has expired by the time the next attempt reads it. */
    private static final Duration EXPIRED_AT_ONCE = Duration.ofNanos(1);

    private final InMemoryLeaseBackend backend = new InMemoryLeaseBackend();

    private static String owner() {
        return UUID.randomUUID().toString();
    }

    @Test
    void lockingAndReleasingManyDistinctKeysLeavesNoEntryBehind() {
        try (LockEngine engine = new LockEngine(this.backend)) {
            for (int i = 0; i < 5_000; i++) {
                engine.tryAcquire(LockRequest.of("key-" + i, TestTimings.LONG_LEASE)).orElseThrow().release();
            }
        }
        assertThat(this.backend.storedEntryCount()).isZero();
    }

    @Test
    void expiredEntriesAreSweptByLaterAttemptsOnOtherKeys() {
        for (int i = 0; i < 3 * InMemoryLeaseBackend.SWEEP_EVERY; i++) {
            this.backend.tryAcquire("expiring-" + i, owner(), TestTimings.SHORT_LEASE);
        }
        // Let every short lease expire, then make enough attempts on one other key to trigger a sweep.
        await().pollDelay(TestTimings.SHORT_LEASE).atMost(TestTimings.SHORT_LEASE.plus(TestTimings.PATIENCE))
                .until(() -> true);
        for (int i = 0; i < InMemoryLeaseBackend.SWEEP_EVERY; i++) {
            this.backend.tryAcquire("live", owner(), TestTimings.LONG_LEASE);
        }
        assertThat(this.backend.storedEntryCount()).isOne();
    }

    @Test
    void storedEntriesStayBoundedUnderAStreamOfExpiringKeys() {
        int mostStored = 0;
        for (int i = 0; i < 20 * InMemoryLeaseBackend.SWEEP_EVERY; i++) {
            this.backend.tryAcquire("stream-" + i, owner(), EXPIRED_AT_ONCE);
            mostStored = Math.max(mostStored, this.backend.storedEntryCount());
        }
        assertThat(mostStored).isLessThanOrEqualTo(InMemoryLeaseBackend.SWEEP_EVERY);
    }

    @Test
    void explicitSweepRemovesExpiredEntriesAndKeepsLiveOnes() {
        for (int i = 0; i < 100; i++) {
            this.backend.tryAcquire("expired-" + i, owner(), EXPIRED_AT_ONCE);
        }
        String holder = owner();
        this.backend.tryAcquire("live", holder, TestTimings.LONG_LEASE);
        this.backend.sweepExpired();
        assertThat(this.backend.storedEntryCount()).isOne();
        assertThat(this.backend.releaseIfOwner("live", holder)).isTrue();
    }

    @Test
    void expiredEntryIsReplacedWhenItsKeyIsTakenAgain() {
        this.backend.tryAcquire("key", owner(), EXPIRED_AT_ONCE);
        assertThat(this.backend.tryAcquire("key", owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
        assertThat(this.backend.storedEntryCount()).isOne();
    }

}
