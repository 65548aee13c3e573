package io.github.distlock.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The engine's holding side: automatic renewal on one shared scheduler, loss detection and signalling, validity,
 * and the promise that no renewal is sent after a release.
 */
class LockEngineRenewalTests extends EngineTestSupport {

    private static final String RENEWAL_THREAD_PREFIX = "distlock-renewal-";

    private static final int LISTENER_RACE_ROUNDS = 100;

    private final RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();

    private final LockEngine engine = engineOver(this.backend);

    private final String key = uniqueKey();

    private LockRequest autoRenewed() {
        return request(this.key, TestTimings.SHORT_LEASE);
    }

    private LockRequest notRenewed() {
        return request(this.key, TestTimings.SHORT_LEASE).withAutoRenew(false);
    }

    private Duration validity(Duration leaseTime) {
        return leaseTime.minus(this.engine.settings().clockDriftFor(leaseTime));
    }

    private static Set<Thread> renewalThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(RENEWAL_THREAD_PREFIX))
                .collect(Collectors.toSet());
    }

    @Nested
    @DisplayName("renewal")
    class Renewal {

        @Test
        void autoRenewedLeaseStaysHeldPastSeveralLeaseTimes() throws Exception {
            Lease lease = engine.acquire(autoRenewed());
            await().during(TestTimings.HOLD).atMost(TestTimings.HOLD.plus(TestTimings.PATIENCE))
                    .pollInterval(TestTimings.POLL_INTERVAL).until(lease::isHeld);
            lease.checkHeld();
            assertThat(freeForAnotherThread(engine, key)).isFalse();
            assertThat(backend.renewCalls.get()).as("renewals while held").isGreaterThanOrEqualTo(3);
            lease.release();
        }

        @Test
        void leaseWithoutAutoRenewIsReportedLostExactlyOnceAfterItsValidity() throws Exception {
            AtomicInteger engineLosses = new AtomicInteger();
            AtomicInteger leaseLosses = new AtomicInteger();
            AtomicLong lostAt = new AtomicLong();
            AtomicReference<String> lostKey = new AtomicReference<>();
            engine.addLossListener((lost, reason) -> {
                lostKey.set(lost.key());
                engineLosses.incrementAndGet();
            });
            long start = System.nanoTime();
            Lease lease = engine.acquire(notRenewed());
            lease.addLossListener((lost, reason) -> {
                lostAt.compareAndSet(0, System.nanoTime());
                leaseLosses.incrementAndGet();
            });
            await().atMost(TestTimings.SHORT_LEASE.plus(TestTimings.PATIENCE))
                    .until(() -> leaseLosses.get() > 0 && engineLosses.get() > 0);
            assertThat(lease.isHeld()).isFalse();
            assertThatThrownBy(lease::checkHeld).isInstanceOf(LeaseLostException.class);
            pause(TestTimings.QUIET_PERIOD);
            assertThat(leaseLosses).as("per-lease loss notifications").hasValue(1);
            assertThat(engineLosses).as("engine-level loss notifications").hasValue(1);
            assertThat(lostKey).hasValue(key);
            assertThat(Duration.ofNanos(lostAt.get() - start)).as("time until the loss was reported")
                    .isGreaterThanOrEqualTo(validity(TestTimings.SHORT_LEASE));
            assertThat(backend.renewCalls).hasValue(0);
            lease.release();
        }

        @Test
        void listenerAddedAfterTheLossIsCalledAtOnce() throws Exception {
            Lease lease = engine.acquire(notRenewed());
            await().atMost(TestTimings.SHORT_LEASE.plus(TestTimings.PATIENCE)).until(() -> !lease.isHeld());
            AtomicInteger calls = new AtomicInteger();
            lease.addLossListener((lost, reason) -> calls.incrementAndGet());
            assertThat(calls).hasValue(1);
            lease.release();
        }

        @Test
        void listenersAddedWhileTheLeaseIsBeingLostAreEachToldExactlyOnce() throws Exception {
            long lossExpectedAfter = validity(TestTimings.TINY_LEASE).toNanos();
            long headStart = Duration.ofMillis(1).toNanos();
            for (int round = 0; round < LISTENER_RACE_ROUNDS; round++) {
                long start = System.nanoTime();
                Optional<Lease> granted = engine.tryAcquire(request(uniqueKey(), TestTimings.TINY_LEASE).withAutoRenew(false));
                if (granted.isEmpty()) {
                    // The grant took longer than this lease's validity on a loaded machine; try another round.
                    continue;
                }
                Lease lease = granted.get();
                AtomicBoolean lost = new AtomicBoolean();
                lease.addLossListener((l, reason) -> lost.set(true));
                List<AtomicInteger> calls = new ArrayList<>();
                // Keep adding listeners across the moment the engine's watchdog detects the loss.
                while (System.nanoTime() - start < lossExpectedAfter - headStart && !lost.get()) {
                    Thread.onSpinWait();
                }
                int addedAfterLoss = 0;
                while (addedAfterLoss < 20) {
                    boolean lostBefore = lost.get();
                    AtomicInteger count = new AtomicInteger();
                    calls.add(count);
                    lease.addLossListener((l, reason) -> count.incrementAndGet());
                    addedAfterLoss += lostBefore ? 1 : 0;
                }
                await().pollDelay(Duration.ZERO).pollInterval(TestTimings.POLL_INTERVAL).atMost(TestTimings.PATIENCE)
                        .until(() -> calls.stream().allMatch(count -> count.get() > 0));
                assertThat(calls).as("round %s", round).allSatisfy(count -> assertThat(count).hasValue(1));
                lease.release();
            }
        }

        @Test
        void backendThatRefusesRenewalMarksTheLeaseLost() throws Exception {
            backend.refuseRenewal = true;
            Lease lease = engine.acquire(autoRenewed());
            AtomicReference<String> reason = new AtomicReference<>();
            lease.addLossListener((lost, why) -> reason.set(why));
            await().atMost(TestTimings.SHORT_LEASE.plus(TestTimings.PATIENCE)).until(() -> reason.get() != null);
            assertThat(lease.isHeld()).isFalse();
            assertThatThrownBy(lease::checkHeld).isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining(reason.get());
            pause(TestTimings.QUIET_PERIOD);
            assertThat(backend.renewCalls).as("renewals, none after the refused one").hasValue(1);
            lease.release();
        }

        @Test
        void backendWhoseRenewalThrowsIsRetriedUntilTheValidityPasses() throws Exception {
            backend.failRenewal = true;
            // Renew every tenth of the lease so that several failing attempts fit into the validity.
            LockEngine engine = engineOver(backend, LockEngineSettings.defaults().withRenewalRatio(0.1));
            AtomicLong lostAt = new AtomicLong();
            engine.addLossListener((lost, reason) -> lostAt.compareAndSet(0, System.nanoTime()));
            long start = System.nanoTime();
            Lease lease = engine.acquire(autoRenewed());
            await().atMost(TestTimings.SHORT_LEASE.plus(TestTimings.PATIENCE)).until(() -> lostAt.get() != 0);
            assertThat(backend.renewCalls.get()).as("renewal attempts before the loss").isGreaterThanOrEqualTo(2);
            assertThat(Duration.ofNanos(lostAt.get() - start)).as("time until the loss was reported")
                    .isGreaterThanOrEqualTo(validity(TestTimings.SHORT_LEASE));
            assertThatThrownBy(lease::checkHeld).isInstanceOf(LeaseLostException.class);
            lease.release();
        }

        @Test
        void noRenewalReachesTheBackendAfterReleaseReturns() throws Exception {
            Lease lease = engine.acquire(autoRenewed());
            await().atMost(TestTimings.PATIENCE).until(() -> backend.renewCalls.get() >= 1);
            lease.release();
            int renewals = backend.renewCalls.get();
            pause(TestTimings.QUIET_PERIOD);
            assertThat(backend.renewCalls).as("renewals after release").hasValue(renewals);
        }

        @Test
        void noRenewalReachesTheBackendAfterReleaseEvenForManyRapidlyRenewedLeases() throws Exception {
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                leases.add(engine.acquire(request(uniqueKey(), TestTimings.RAPID_LEASE)));
            }
            await().atMost(TestTimings.PATIENCE).until(() -> backend.renewCalls.get() >= 40);
            leases.forEach(Lease::release);
            int renewals = backend.renewCalls.get();
            pause(TestTimings.QUIET_PERIOD);
            assertThat(backend.renewCalls).as("renewals after release").hasValue(renewals);
        }

        @Test
        void callWithLockThrowsLeaseLostExceptionWhenTheLeaseIsLostDuringTheAction() {
            backend.refuseRenewal = true;
            AtomicInteger losses = new AtomicInteger();
            engine.addLossListener((lost, reason) -> losses.incrementAndGet());
            assertThatThrownBy(() -> engine.callWithLock(autoRenewed(), () -> {
                await().atMost(TestTimings.SHORT_LEASE.plus(TestTimings.PATIENCE)).until(() -> losses.get() > 0);
                return "discarded";
            })).isInstanceOf(LeaseLostException.class);
        }

    }

    @Nested
    @DisplayName("renewal scheduler")
    class Scheduler {

        @Test
        void aFewSharedRenewalThreadsRenewManyLeases() throws Exception {
            Set<Thread> before = renewalThreads();
            LockEngine engine = engineOver(backend);
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                leases.add(engine.acquire(request(uniqueKey(), TestTimings.SHORT_LEASE)));
            }
            await().atMost(TestTimings.PATIENCE).until(() -> backend.renewCalls.get() >= 100);
            Set<Thread> started = renewalThreads();
            started.removeAll(before);
            assertThat(started).as("renewal threads started for 50 leases")
                    .hasSizeBetween(1, engine.settings().renewalThreads());
            assertThat(leases).allMatch(Lease::isHeld);
            leases.forEach(Lease::release);
        }

    }

    @Nested
    @DisplayName("validity")
    class Validity {

        @Test
        void leaseIsNeverValidForLongerThanItsLeaseTimeMinusTheDriftAllowance() throws Exception {
            Lease longLease = engine.acquire(request(key, TestTimings.LONG_LEASE));
            assertThat(longLease.remainingValidity()).isPositive()
                    .isLessThanOrEqualTo(validity(TestTimings.LONG_LEASE));
            longLease.release();
            assertThat(longLease.remainingValidity()).isZero();

            Lease renewed = engine.acquire(autoRenewed());
            await().atMost(TestTimings.PATIENCE).until(() -> backend.renewCalls.get() >= 2);
            assertThat(renewed.remainingValidity()).as("validity after renewals")
                    .isLessThanOrEqualTo(validity(TestTimings.SHORT_LEASE));
            renewed.release();
        }

    }

    @Test
    void aRenewalStuckInTheBackendDoesNotBlockTheHolderFromLearningThatItsValidityPassed() throws Exception {
        java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
        this.backend.stallRenewalUntil = stuck;
        try {
            Lease lease = this.engine.tryAcquire(autoRenewed()).orElseThrow();
            await().atMost(TestTimings.PATIENCE).until(() -> this.backend.renewCalls.get() > 0);
            // The renewal thread now holds the lease's state while its call hangs; the holder must still get an
            // answer, and the answer is "not held" once the validity has passed.
            await().atMost(TestTimings.PATIENCE).until(() -> !lease.isHeld());
            assertThatThrownBy(lease::checkHeld).isInstanceOf(LeaseLostException.class);
        }
        finally {
            stuck.countDown();
        }
    }

}
