package io.github.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.AcquireResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Redlock on five real, independent masters under the faults its specification talks about: masters down (a
 * minority and a majority), a slow master, a master that restarts without its data, and waiting without polling.
 */
class RedlockFaultTests {

    /** A lease long enough never to expire during a test. */
    private static final Duration LONG_LEASE = Duration.ofSeconds(60);

    private static RedlockMasters masters;

    @BeforeAll
    static void startMasters() {
        masters = RedlockMasters.start(5);
    }

    @AfterAll
    static void stopMasters() {
        masters.close();
    }

    @AfterEach
    void restoreMasters() {
        masters.closeBackends();
        masters.restore();
    }

    @Test
    void locksWorkWithTwoOfFiveMastersDown() {
        RedlockLeaseBackend backend = masters.backend();
        masters.kill(3);
        masters.kill(4);
        String key = uniqueKey();
        assertThat(backend.tryAcquire(key, "a", LONG_LEASE).isGranted()).as("acquire with 3 of 5 masters").isTrue();
        assertThat(backend.tryAcquire(key, "b", LONG_LEASE).isGranted()).as("another owner's acquire").isFalse();
        assertThat(backend.renewIfOwner(key, "a", LONG_LEASE)).as("renewal with 3 of 5 masters").isTrue();
        assertThat(backend.releaseIfOwner(key, "a")).as("release with 3 of 5 masters").isTrue();
        assertThat(backend.tryAcquire(key, "b", LONG_LEASE).isGranted()).as("the next owner's acquire").isTrue();
        assertThat(masters.mastersHolding(backend, key, "b")).isEqualTo(3);
    }

    @Test
    void acquireFailsClosedAndLeavesNothingBehindWithThreeOfFiveMastersDown() {
        RedlockLeaseBackend backend = masters.backend();
        masters.kill(2);
        masters.kill(3);
        masters.kill(4);
        String key = uniqueKey();
        assertThatExceptionOfType(RedisUnavailableException.class)
            .isThrownBy(() -> backend.tryAcquire(key, "a", LONG_LEASE))
            .withMessageContaining("needs 3 of 5 Redlock masters");
        assertThat(masters.mastersHolding(backend, key, "a")).as("masters still holding the failed attempt").isZero();
        try (LockEngine engine = new LockEngine(backend)) {
            assertThatExceptionOfType(LockUnavailableException.class)
                .isThrownBy(() -> engine.tryAcquire(LockRequest.of(key, LONG_LEASE)));
        }
    }

    @Test
    void holdersLoseTheirLeaseWhenAMajorityOfMastersGoesDown() {
        RedlockLeaseBackend backend = masters.backend(Duration.ofMillis(200));
        try (LockEngine engine = new LockEngine(backend)) {
            Lease held = engine.tryAcquire(LockRequest.of(uniqueKey(), Duration.ofSeconds(2))).orElseThrow();
            masters.kill(0);
            masters.kill(1);
            masters.kill(2);
            await().atMost(RedisTestClients.EVENTUALLY).until(() -> !held.isHeld());
        }
    }

    @Test
    void anAttemptSlowerThanItsValidityFailsAndIsReleasedOnEveryMaster() {
        // The per-node limit is far above the delay, so only the validity check can refuse the slow attempt.
        RedlockLeaseBackend backend = masters.backend(Duration.ofSeconds(5));
        Duration lease = Duration.ofMillis(400);
        masters.proxy(0).delayForwarding(Duration.ofMillis(300));
        String key = uniqueKey();
        AcquireResult result = backend.tryAcquire(key, "a", lease);
        assertThat(result.isGranted()).as("an attempt that waited 2 x 300 ms for one master").isFalse();
        assertThat(masters.mastersHolding(backend, key, "a")).as("masters still holding the slow attempt").isZero();
        masters.proxy(0).delayForwarding(Duration.ZERO);
        assertThat(backend.tryAcquire(key, "b", lease).isGranted()).as("an attempt once the master is fast again")
            .isTrue();
    }

    @Test
    void aMasterRestartedAtOnceWithoutItsDataLetsASecondHolderInWhileTheFirstIsStillValid() {
        RedlockLeaseBackend first = masters.backend();
        RedlockLeaseBackend second = masters.backend();
        String key = uniqueKey();
        long start = holdOnMastersZeroToTwoThenCrashMasterTwo(first, key, "a", LONG_LEASE);
        // Master 2 comes back at once, empty: "a" is now held on masters 0 and 1 only.
        masters.restart(2);
        AcquireResult secondGrant = second.tryAcquire(key, "b", LONG_LEASE);
        long firstValidUntil = start + LONG_LEASE.toNanos();
        // The failure the Redlock specification warns about, recorded: two holders, both within their validity.
        assertThat(secondGrant.isGranted()).as("a second holder, on masters 2 to 4").isTrue();
        assertThat(System.nanoTime() - firstValidUntil).as("time past the first holder's validity").isNegative();
        assertThat(masters.mastersHolding(first, key, "a")).isEqualTo(2);
        assertThat(masters.mastersHolding(second, key, "b")).isEqualTo(3);
    }

    @Test
    void aMasterRestartedOnlyAfterTheLongestLeaseLetsNoSecondHolderIn() {
        RedlockLeaseBackend first = masters.backend();
        RedlockLeaseBackend second = masters.backend();
        // Long enough to outlast the restarts below, so the first holder is still valid when master 2 crashes.
        Duration lease = Duration.ofSeconds(3);
        String key = uniqueKey();
        long start = holdOnMastersZeroToTwoThenCrashMasterTwo(first, key, "a", lease);
        long crashed = System.nanoTime();
        assertThatExceptionOfType(RedisUnavailableException.class).as("a second acquire while master 2 is out")
            .isThrownBy(() -> second.tryAcquire(key, "b", lease));
        // The operator's rule: a crashed master stays out for longer than the longest lease.
        await().pollInterval(Duration.ofMillis(50)).atMost(RedisTestClients.EVENTUALLY)
            .until(() -> System.nanoTime() - crashed > lease.toNanos());
        masters.restart(2);
        await().atMost(RedisTestClients.EVENTUALLY).until(() -> second.tryAcquire(key, "b", lease).isGranted());
        assertThat(System.nanoTime() - (start + lease.toNanos())).as("the second grant came after the first lease")
            .isPositive();
        assertThat(first.renewIfOwner(key, "a", lease)).as("the first holder's renewal").isFalse();
    }

    @Test
    void aWaiterIsHandedTheKeyOnReleaseWithoutPolling() throws Exception {
        // Aggressive backoff: a polling waiter would send dozens of attempts while the holder works.
        LockEngineSettings pollingIfItCould = LockEngineSettings.defaults()
            .withBackoff(Duration.ofMillis(5), Duration.ofMillis(10));
        LockEngine holder = new LockEngine(masters.backend());
        LockEngine waiting = new LockEngine(masters.backend(), pollingIfItCould);
        ExecutorService waiterThread = Executors.newSingleThreadExecutor();
        try (holder; waiting) {
            String key = uniqueKey();
            Lease held = holder.tryAcquire(LockRequest.of(key, LONG_LEASE)).orElseThrow();
            masters.resetCommandStats();
            Future<Lease> waiter = waiterThread.submit(() -> waiting
                .acquire(LockRequest.of(key, LONG_LEASE).withWaitTime(LONG_LEASE)));
            // The waiter's first attempt reaches every master: five scripts.
            await().atMost(RedisTestClients.EVENTUALLY).until(() -> masters.scriptCalls() >= 5);
            // Gives a polling waiter time to show itself; nothing to poll for, only time to pass.
            await().pollDelay(Duration.ofSeconds(1)).atMost(RedisTestClients.EVENTUALLY).until(() -> true);
            long whileWaiting = masters.scriptCalls() - 5;
            held.release();
            // Well before the holder's lease would have run out: the release, not the remaining time, woke it.
            Lease granted = waiter.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(whileWaiting).as("scripts sent while the holder worked").isZero();
            granted.release();
        }
        finally {
            waiterThread.shutdownNow();
        }
    }

    @Test
    void waitersOfFourInstancesAllGetTheKeyInTurnAndNeverTogether() throws Exception {
        // Each instance has its own backend, so hand-offs go through every master's queue and subscription.
        List<LockEngine> instances = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            instances.add(new LockEngine(masters.backend()));
        }
        String key = uniqueKey();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger sections = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int worker = 0; worker < 8; worker++) {
                LockEngine engine = instances.get(worker % instances.size());
                running.add(workers.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        try (Lease held = engine.acquire(LockRequest.of(key, LONG_LEASE)
                            .withWaitTime(RedisTestClients.EVENTUALLY)
                            .withReentrant(false))) {
                            if (inside.incrementAndGet() > 1) {
                                overlaps.incrementAndGet();
                            }
                            sections.incrementAndGet();
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get(RedisTestClients.EVENTUALLY.toMillis() * 3, TimeUnit.MILLISECONDS);
            }
        }
        finally {
            workers.shutdownNow();
            instances.forEach(LockEngine::close);
        }
        assertThat(overlaps).as("critical sections that overlapped").hasValue(0);
        assertThat(sections).as("critical sections of 8 workers x 10 waiting acquires").hasValue(80);
    }

    /**
     * Has the owner take the key while masters 3 and 4 are down, so that it holds exactly a majority (0 to 2), brings
     * 3 and 4 back, and kills master 2, which loses the lease with its data.
     * @return when the owner's attempt started, which its validity counts from
     */
    private static long holdOnMastersZeroToTwoThenCrashMasterTwo(RedlockLeaseBackend backend, String key, String owner,
            Duration lease) {
        masters.kill(3);
        masters.kill(4);
        long start = System.nanoTime();
        assertThat(backend.tryAcquire(key, owner, lease).isGranted()).as("first holder, on masters 0 to 2").isTrue();
        masters.restart(3);
        masters.restart(4);
        masters.kill(2);
        return start;
    }

    private static String uniqueKey() {
        return "redlock-" + UUID.randomUUID();
    }

}
