package io.github.distlock.core.engine;

import java.util.Optional;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine's policy for {@link LockMode}: which backend may serve READ, how a thread re-enters by mode, and that
 * shared leases are renewed and lost as exclusive ones are. The backend's rules are the test kit's
 * {@code SharedLeaseContract}.
 */
class ReadWriteModeTests extends EngineTestSupport {

    private static LockRequest read(String key) {
        return LockRequest.of(key, TestTimings.LONG_LEASE).withMode(LockMode.READ);
    }

    @Test
    void readOnABackendWithoutSharedLeasesIsRefusedBeforeAnyBackendCall() {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        assertThat(engine.supportsSharedLeases()).isFalse();
        assertThatIllegalArgumentException().isThrownBy(() -> engine.tryAcquire(read("k")))
            .withMessageContaining("mode READ")
            .withMessageContaining("backend '" + backend.name() + "'");
        assertThat(backend.calls()).isZero();
    }

    @Test
    void readersOfDifferentThreadsHoldAtOnceAndAWriterWaitsForBoth() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        Lease mine = engine.tryAcquire(read(key)).orElseThrow();
        Lease theirs = onAnotherThread(() -> engine.tryAcquire(read(key)).orElseThrow());
        assertThat(mine.fencingToken()).isNotEqualTo(theirs.fencingToken());
        assertThat(freeForAnotherThread(engine, key)).as("a writer while two readers hold").isFalse();
        mine.release();
        assertThat(freeForAnotherThread(engine, key)).as("a writer while one reader holds").isFalse();
        theirs.release();
        assertThat(freeForAnotherThread(engine, key)).as("a writer once both readers released").isTrue();
    }

    @Test
    void readInsideReadReentersTheThreadsSharedLease() {
        InMemoryLeaseBackend backend = new InMemoryLeaseBackend();
        LockEngine engine = engineOver(backend);
        String key = uniqueKey();
        Lease outer = engine.tryAcquire(read(key)).orElseThrow();
        Lease inner = engine.tryAcquire(read(key)).orElseThrow();
        assertThat(inner.fencingToken()).as("the inner hold's token").isEqualTo(outer.fencingToken());
        inner.release();
        assertThat(outer.isHeld()).isTrue();
        outer.release();
        assertThat(backend.storedEntryCount()).as("entries once the last handle released").isZero();
    }

    @Test
    void readInsideWriteReentersTheThreadsExclusiveLease() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        Lease writer = engine.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE)).orElseThrow();
        Lease inner = engine.tryAcquire(read(key)).orElseThrow();
        assertThat(inner.fencingToken()).isEqualTo(writer.fencingToken());
        inner.release();
        assertThat(onAnotherThread(() -> engine.tryAcquire(read(key)).isPresent()))
                .as("another thread's reader while the writer still holds").isFalse();
        writer.release();
    }

    @Test
    void writeInsideReadIsRefusedAndLeavesTheReadLeaseHeld() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        Lease reader = engine.tryAcquire(read(key)).orElseThrow();
        assertThatIllegalStateException()
            .isThrownBy(() -> engine.acquire(LockRequest.of(key, TestTimings.LONG_LEASE)
                .withWaitTime(TestTimings.LONG_WAIT)))
            .withMessageContaining("mode WRITE")
            .withMessageContaining("holds it in mode READ");
        assertThat(reader.isHeld()).isTrue();
        reader.release();
    }

    @Test
    void aSharedLeaseIsRenewedPastItsLeaseTime() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        Lease reader = engine.tryAcquire(LockRequest.of(key, TestTimings.SHORT_LEASE).withMode(LockMode.READ))
            .orElseThrow();
        pause(TestTimings.SHORT_LEASE.multipliedBy(3));
        assertThat(reader.isHeld()).as("the renewed reader after three lease times").isTrue();
        assertThat(freeForAnotherThread(engine, key)).as("a writer while the renewed reader holds").isFalse();
        reader.release();
    }

    @Test
    void aReaderWaitsForTheWriterAndEntersWhenItReleases() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String key = uniqueKey();
        Lease writer = engine.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE)).orElseThrow();
        assertThatThrownBy(() -> onAnotherThread(() -> engine.acquire(read(key).withWaitTime(TestTimings.SHORT_WAIT))))
            .isInstanceOf(LockNotAcquiredException.class);
        Background<Optional<Lease>> reader = startOnAnotherThread(
                () -> Optional.of(engine.acquire(read(key).withWaitTime(TestTimings.LONG_WAIT))));
        writer.release();
        Lease granted = reader.get().orElseThrow();
        assertThat(granted.fencingToken().getAsLong()).isGreaterThan(writer.fencingToken().getAsLong());
        granted.release();
    }

}
