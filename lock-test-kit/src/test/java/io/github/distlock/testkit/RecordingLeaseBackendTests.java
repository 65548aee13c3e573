package io.github.distlock.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What the recording decorator records, which capabilities it offers, and how its switches fail calls.
 */
class RecordingLeaseBackendTests {

    private static final Duration LEASE = ContractTiming.LONG_LEASE;

    @Test
    void offersExactlyTheCapabilitiesOfTheWrappedBackend() {
        assertThat(RecordingLeaseBackend.inMemory()).isInstanceOf(FencingLeaseBackend.class)
            .isInstanceOf(ReleaseNotifyingBackend.class);
        assertThat(RecordingLeaseBackend.of(RecordingLeaseBackend.withoutCapabilities(new InMemoryLeaseBackend())))
            .isNotInstanceOf(FencingLeaseBackend.class)
            .isNotInstanceOf(ReleaseNotifyingBackend.class);
    }

    @Test
    void withoutCapabilitiesItsGrantsCarryNoFencingToken() {
        LeaseBackend plain = RecordingLeaseBackend.withoutCapabilities(new InMemoryLeaseBackend());
        AcquireResult granted = plain.tryAcquire("k", "owner", LEASE);
        assertThat(granted.isGranted()).isTrue();
        assertThat(granted.fencingToken()).isEmpty();
        assertThat(plain).isNotInstanceOf(FencingLeaseBackend.class).isNotInstanceOf(ReleaseNotifyingBackend.class);
    }

    @Test
    void recordsCallsOwnersGrantsAndEventsInOrder() {
        List<String> events = new CopyOnWriteArrayList<>(List.of("begin"));
        RecordingLeaseBackend backend = RecordingLeaseBackend.inMemory().recordEventsIn(events)
            .describeReleasesWith(() -> "handed over");
        assertThat(backend.tryAcquire("k", "a", LEASE).fencingToken()).isPresent();
        assertThat(backend.tryAcquire("k", "b", LEASE).isGranted()).isFalse();
        assertThat(backend.renewIfOwner("k", "a", LEASE)).isTrue();
        assertThat(backend.releaseIfOwner("k", "a")).isTrue();
        assertThat(backend.acquireOwners()).containsExactly("a", "b");
        assertThat(backend.releaseOwners()).containsExactly("a");
        assertThat(backend.grantedKeys()).containsExactly("k");
        assertThat(backend.events()).containsExactly("begin", "acquire", "handed over");
        assertThat(backend.calls()).isEqualTo(4);
        assertThat(backend.name()).isEqualTo("recording-in-memory");
    }

    @Test
    void anUnreachableBackendFailsEveryCallUntilItAnswersAgain() {
        RecordingLeaseBackend backend = RecordingLeaseBackend.inMemory();
        backend.unreachable(true);
        assertThatIllegalStateException().isThrownBy(() -> backend.tryAcquire("k", "a", LEASE))
            .withMessage(RecordingLeaseBackend.OUTAGE_MESSAGE);
        assertThatIllegalStateException().isThrownBy(() -> backend.renewIfOwner("k", "a", LEASE));
        assertThatIllegalStateException().isThrownBy(() -> backend.releaseIfOwner("k", "a"));
        assertThat(backend.calls()).as("failed calls count").isEqualTo(3);
        backend.unreachable(false);
        assertThat(backend.tryAcquire("k", "a", LEASE).isGranted()).isTrue();
    }

    @Test
    void aLostReplyLeavesTheAcquireApplied() {
        RecordingLeaseBackend backend = RecordingLeaseBackend.inMemory();
        backend.loseAcquireReplies(true);
        assertThatIllegalStateException().isThrownBy(() -> backend.tryAcquire("k", "a", LEASE));
        backend.loseAcquireReplies(false);
        assertThat(backend.tryAcquire("k", "b", LEASE).isGranted()).isFalse();
        assertThat(backend.grantedKeys()).as("the caller was never told of the grant").isEmpty();
    }

    @Test
    void refusedRenewalsAnswerFalseAndFailedOnesThrow() {
        RecordingLeaseBackend backend = RecordingLeaseBackend.inMemory();
        backend.tryAcquire("k", "a", LEASE);
        backend.refuseRenewals(true);
        assertThat(backend.renewIfOwner("k", "a", LEASE)).isFalse();
        backend.refuseRenewals(false);
        backend.failRenewals(true);
        assertThatIllegalStateException().isThrownBy(() -> backend.renewIfOwner("k", "a", LEASE))
            .withMessageContaining("renew");
        assertThat(backend.renewCalls()).isEqualTo(2);
    }

}
