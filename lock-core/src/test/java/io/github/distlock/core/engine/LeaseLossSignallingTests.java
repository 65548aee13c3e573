package io.github.distlock.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * When a holder learns that its lease is gone: no later than the end of its validity, whatever its renewals are
 * doing; and one lease's stuck renewal never delays another lease's renewal or loss.
 */
class LeaseLossSignallingTests extends EngineTestSupport {

    /** A drift allowance large enough that a timer firing a little late on a loaded machine is still early. */
    private static final LockEngineSettings WIDE_DRIFT = new LockEngineSettings(1.0 / 3, 0.01, Duration.ofMillis(80),
            Duration.ofMillis(10), Duration.ofMillis(500), 4);

    private final RecordingLeaseBackend backend = RecordingLeaseBackend.notifying();

    private final CountDownLatch unstick = new CountDownLatch(1);

    @AfterEach
    void unstickRenewals() {
        this.unstick.countDown();
    }

    @Test
    void oneLeaseWhoseRenewalHangsDelaysNoOtherLeasesRenewal() throws Exception {
        LockEngine engine = engineOver(this.backend);
        String stuckKey = uniqueKey();
        this.backend.stalledKey = stuckKey;
        this.backend.stallRenewalUntil = this.unstick;
        Set<String> lost = ConcurrentHashMap.newKeySet();
        engine.addLossListener((lease, reason) -> lost.add(lease.key()));
        Duration leaseTime = Duration.ofMillis(600);
        Lease stuck = engine.tryAcquire(request(stuckKey, leaseTime)).orElseThrow();
        List<Lease> others = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            others.add(engine.tryAcquire(request(uniqueKey(), leaseTime)).orElseThrow());
        }
        // Several lease times: every other lease needs several renewals while the stuck one hangs.
        pause(leaseTime.multipliedBy(4));
        assertThat(lost).as("leases lost").containsExactly(stuckKey);
        assertThat(others).allMatch(Lease::isHeld);
        assertThatThrownBy(stuck::checkHeld).isInstanceOf(LeaseLostException.class);
        others.forEach(Lease::release);
        stuck.release();
    }

    @Test
    void lossIsSignalledBeforeTheServerCanGrantTheKeyToAnotherOwnerWhileRenewalsFailSlowly() throws Exception {
        this.backend.failRenewal = true;
        this.backend.renewalLatency = Duration.ofMillis(250);
        LockEngine holder = engineOver(this.backend, WIDE_DRIFT);
        LockEngine other = engineOver(this.backend, WIDE_DRIFT);
        String key = uniqueKey();
        AtomicLong lostAt = new AtomicLong();
        Lease lease = holder.tryAcquire(request(key, Duration.ofMillis(600))).orElseThrow();
        lease.addLossListener((l, reason) -> lostAt.compareAndSet(0, System.nanoTime()));
        long grantedToOtherAt = onAnotherThread(() -> {
            while (true) {
                Optional<Lease> taken = other.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE));
                if (taken.isPresent()) {
                    long at = System.nanoTime();
                    taken.get().release();
                    return at;
                }
                Thread.sleep(1);
            }
        });
        assertThat(lostAt.get()).as("the holder was told of its loss").isNotZero();
        assertThat(lostAt.get()).as("told before another owner was granted the key")
                .isLessThan(grantedToOtherAt);
        lease.release();
    }

    @Test
    void checkHeldNamesTheStuckRenewalOnceTheValidityPassed() throws Exception {
        this.backend.stallRenewalUntil = this.unstick;
        LockEngine engine = engineOver(this.backend);
        AtomicReference<String> reason = new AtomicReference<>();
        Lease lease = engine.tryAcquire(request(uniqueKey(), TestTimings.SHORT_LEASE)).orElseThrow();
        lease.addLossListener((l, why) -> reason.set(why));
        await().atMost(TestTimings.PATIENCE).until(() -> reason.get() != null);
        assertThat(reason.get()).contains("renewal").contains("recording");
        assertThatThrownBy(lease::checkHeld).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("renewal").hasMessageContaining("recording");
        lease.release();
    }

    @Test
    void reenteringWhileARenewalIsStuckPastTheValidityThrowsLeaseLostExceptionInsteadOfWaitingOnItself()
            throws Exception {
        this.backend.stallRenewalUntil = this.unstick;
        LockEngine engine = engineOver(this.backend);
        String key = uniqueKey();
        Lease outer = engine.tryAcquire(request(key, TestTimings.SHORT_LEASE)).orElseThrow();
        await().atMost(TestTimings.PATIENCE).until(() -> this.backend.renewCalls.get() > 0);
        // Past the validity, without asking the lease (which would record the loss itself).
        pause(TestTimings.SHORT_LEASE);
        int acquiresBefore = this.backend.acquireCalls.get();
        assertThatThrownBy(() -> engine.tryAcquire(request(key, TestTimings.SHORT_LEASE)))
                .isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> engine.acquire(request(key, TestTimings.SHORT_LEASE)
                .withWaitTime(TestTimings.LONG_WAIT))).isInstanceOf(LeaseLostException.class);
        assertThat(this.backend.acquireCalls).as("backend attempts on its own key").hasValue(acquiresBefore);
        outer.release();
    }

    @Test
    void closingTheEngineReleasesTheLeasesItHoldsAndTellsTheirHolders() throws Exception {
        LockEngine engine = engineOver(this.backend);
        LockEngine other = engineOver(this.backend);
        String key = uniqueKey();
        Lease lease = engine.tryAcquire(request(key, TestTimings.LONG_LEASE)).orElseThrow();
        AtomicReference<String> reason = new AtomicReference<>();
        lease.addLossListener((l, why) -> reason.set(why));
        engine.close();
        assertThat(reason.get()).as("loss reason").contains("closed");
        assertThat(lease.isHeld()).isFalse();
        assertThat(other.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE))).as("the key after close")
                .isPresent();
        int releases = this.backend.releaseCalls.get();
        lease.release();
        assertThat(this.backend.releaseCalls).as("releases sent by the late handle release").hasValue(releases);
    }

    @Test
    void anAcquireGrantedWhileTheEngineClosesIsReleasedAndLeavesNoHoldOnTheThread() throws Exception {
        CountDownLatch reply = new CountDownLatch(1);
        this.backend.stallAcquireReplyUntil = reply;
        LockEngine engine = engineOver(this.backend);
        String key = uniqueKey();
        Background<Object> acquiring = startOnAnotherThread(() -> {
            try {
                return engine.tryAcquire(request(key, TestTimings.LONG_LEASE));
            }
            catch (IllegalStateException ex) {
                return ex;
            }
        });
        this.backend.acquireApplied.await();
        // close() does not wait for an acquire in flight; the acquire's reply arrives after it returned.
        engine.close();
        reply.countDown();
        assertThat(acquiring.get()).as("the acquire's outcome").isInstanceOf(IllegalStateException.class);
        this.backend.stallAcquireReplyUntil = null;
        LockEngine other = engineOver(this.backend);
        assertThat(other.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE))).as("the key after close")
                .isPresent();
    }

}
