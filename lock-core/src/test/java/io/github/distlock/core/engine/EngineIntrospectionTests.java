package io.github.distlock.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.distlock.core.LockUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What an engine tells an operator: the leases it holds, who waits for which key, and each lease it lost with its
 * name and cause.
 */
class EngineIntrospectionTests extends EngineTestSupport {

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    private final Logger engineLoggers = (Logger) LoggerFactory.getLogger("io.github.distlock.core.engine");

    @BeforeEach
    void captureLog() {
        this.log.start();
        this.engineLoggers.addAppender(this.log);
    }

    @AfterEach
    void stopCapturingLog() {
        this.engineLoggers.detachAppender(this.log);
    }

    @Test
    void backendCallsCountEveryAttemptRenewalAndReleaseAsTheBackendSawThem() throws Exception {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        String key = uniqueKey();
        Lease lease = engine.tryAcquire(LockRequest.of(key, TestTimings.SHORT_LEASE)).orElseThrow();
        assertThat(onAnotherThread(() -> engine.tryAcquire(LockRequest.of(key, TestTimings.SHORT_LEASE)))).isEmpty();
        await().atMost(TestTimings.PATIENCE).until(() -> backend.renewCalls.get() >= 2);
        lease.release();
        await().atMost(TestTimings.PATIENCE).until(() -> backend.releaseCalls.get() == 1);
        // A renewal that was in flight at the release is counted by the engine a moment before the backend sees it.
        await().atMost(TestTimings.PATIENCE).until(() -> engine.backendCalls() == backend.calls());
        assertThat(backend.calls()).as("one refused attempt, two or more renewals, two attempts and a release")
            .isGreaterThanOrEqualTo(5);
    }

    @Test
    void anOutageIsOneWarningAndItsEndOneLineWhateverTheNumberOfFailedCalls() {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        backend.failAcquire = true;
        for (int i = 0; i < 5; i++) {
            assertThatExceptionOfType(LockUnavailableException.class)
                .isThrownBy(() -> engine.tryAcquire(LockRequest.of(uniqueKey(), TestTimings.LONG_LEASE)));
        }
        assertThat(lines(Level.WARN, "unavailable")).hasSize(1);
        backend.failAcquire = false;
        engine.tryAcquire(LockRequest.of(uniqueKey(), TestTimings.LONG_LEASE)).orElseThrow().release();
        engine.tryAcquire(LockRequest.of(uniqueKey(), TestTimings.LONG_LEASE)).orElseThrow().release();
        assertThat(lines(Level.INFO, "answers again")).hasSize(1);
        backend.failAcquire = true;
        assertThatExceptionOfType(LockUnavailableException.class)
            .isThrownBy(() -> engine.tryAcquire(LockRequest.of(uniqueKey(), TestTimings.LONG_LEASE)));
        assertThat(lines(Level.WARN, "unavailable")).as("a second outage").hasSize(2);
    }

    @Test
    void aLostLeaseIsOneWarningWithItsNameKeyBackendAndCause() {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        backend.refuseRenewal = true;
        String key = uniqueKey();
        engine.tryAcquire(LockRequest.of(key, TestTimings.SHORT_LEASE).withName("invoices")).orElseThrow();
        await().atMost(TestTimings.PATIENCE).until(() -> !lines(Level.WARN, "Lost the lease").isEmpty());
        assertThat(lines(Level.WARN, "Lost the lease")).singleElement()
            .satisfies((line) -> assertThat(line).contains(key, "invoices", backend.name(), "renewal-refused"));
    }

    private List<String> lines(Level level, String containing) {
        return this.log.list.stream()
            .filter((event) -> event.getLevel() == level)
            .map(ILoggingEvent::getFormattedMessage)
            .filter((message) -> message.contains(containing))
            .toList();
    }

    @Test
    void aHeldLeaseIsListedWithItsNameAndLeavesTheListWhenReleased() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        Lease lease = engine.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE).withName("orders")).orElseThrow();
        List<HeldLease> held = engine.heldLeases();
        assertThat(held).singleElement().satisfies((listed) -> {
            assertThat(listed.name()).isEqualTo("orders");
            assertThat(listed.key()).isEqualTo(key);
            assertThat(listed.backend()).isEqualTo("in-memory");
            assertThat(listed.fencingToken()).isEqualTo(lease.fencingToken());
            assertThat(listed.validityLeft()).isPositive().isLessThanOrEqualTo(TestTimings.LONG_LEASE);
            assertThat(listed.autoRenew()).isTrue();
            assertThat(listed.renewals()).isZero();
        });
        assertThat(engine.heldLeaseCount()).isOne();
        lease.release();
        assertThat(engine.heldLeases()).isEmpty();
        assertThat(engine.heldLeaseCount()).isZero();
    }

    @Test
    void aCallerIsCountedAsWaitingForItsKeyOnlyUntilItsAcquireReturns() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        Lease holder = engine.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE)).orElseThrow();
        Background<Lease> waiter = startOnAnotherThread(
                () -> engine.acquire(LockRequest.of(key, TestTimings.LONG_LEASE).withWaitTime(TestTimings.LONG_WAIT)));
        await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == 1);
        assertThat(engine.waitersByKey()).containsExactly(java.util.Map.entry(key, 1));
        holder.release();
        waiter.get().release();
        assertThat(engine.waitersByKey()).isEmpty();
        assertThat(engine.waiterCount()).isZero();
    }

    @Test
    void aCallerThatGivesUpStopsBeingCountedAsWaiting() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        engine.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE)).orElseThrow();
        assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(() -> onAnotherThread(
                () -> engine.acquire(LockRequest.of(key, TestTimings.LONG_LEASE).withWaitTime(TestTimings.SHORT_WAIT))));
        assertThat(engine.waiterCount()).isZero();
    }

    @Test
    void aLeaseWhoseRenewalIsRefusedIsToldToObserversWithItsNameAndCause() {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        List<LeaseLoss> losses = new CopyOnWriteArrayList<>();
        engine.addLeaseLossObserver(losses::add);
        String key = uniqueKey();
        backend.refuseRenewal = true;
        engine.tryAcquire(LockRequest.of(key, TestTimings.SHORT_LEASE).withName("payments")).orElseThrow();
        await().atMost(TestTimings.PATIENCE).until(() -> !losses.isEmpty());
        assertThat(losses).singleElement().satisfies((loss) -> {
            assertThat(loss.name()).isEqualTo("payments");
            assertThat(loss.key()).isEqualTo(key);
            assertThat(loss.cause()).isEqualTo(LeaseLoss.Cause.RENEWAL_REFUSED);
            assertThat(loss.reason()).contains("no longer holds");
        });
        assertThat(engine.heldLeases()).isEmpty();
    }

    @Test
    void aLeaseThatOutlivesItsValidityWithoutRenewalIsLostAsExpired() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        List<LeaseLoss> losses = new CopyOnWriteArrayList<>();
        engine.addLeaseLossObserver(losses::add);
        engine.tryAcquire(LockRequest.of(uniqueKey(), TestTimings.SHORT_LEASE).withAutoRenew(false)).orElseThrow();
        await().atMost(TestTimings.PATIENCE).until(() -> !losses.isEmpty());
        assertThat(losses).singleElement().extracting(LeaseLoss::cause).isEqualTo(LeaseLoss.Cause.EXPIRED);
        assertThat(losses.get(0).name()).isEmpty();
    }

    @Test
    void renewalsTheBackendAcceptedAreCounted() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        Lease lease = engine.tryAcquire(LockRequest.of(uniqueKey(), TestTimings.SHORT_LEASE)).orElseThrow();
        await().atMost(TestTimings.PATIENCE).until(() -> engine.heldLeases().get(0).renewals() >= 2);
        assertThat(lease.isHeld()).isTrue();
        lease.release();
    }

    @Test
    void aRequestWithoutANameHasAnEmptyOne() {
        assertThat(LockRequest.of("k", Duration.ofSeconds(1)).name()).isEmpty();
        assertThat(LockRequest.of("k", Duration.ofSeconds(1)).withName("n").withWaitTime(Duration.ZERO).name())
            .isEqualTo("n");
    }

}
