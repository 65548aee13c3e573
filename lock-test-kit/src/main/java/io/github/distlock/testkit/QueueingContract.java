package io.github.distlock.testkit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.QueueingLeaseBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract of a backend that queues waiters per key and hands a released key to the oldest one
 * ({@link QueueingLeaseBackend}), as a mix-in for a test class that extends {@link LeaseBackendContractTests} or
 * {@link FencingLeaseBackendContractTests}:
 * <pre class="code">
 * class RedisLeaseBackendContractTest extends FencingLeaseBackendContractTests implements QueueingContract { ... }
 * </pre>
 * The tests run exactly when a test class declares the capability, so none is ever skipped; a backend that does not
 * implement {@link QueueingLeaseBackend} fails them.
 *
 * <p>Each test subscribes before it queues, as the engine does, and waits for announcements without bounding how
 * fast they arrive; it asserts who gets the key, and that a waiter the key was not handed to hears nothing.
 *
 * @since 0.1.0
 */
public interface QueueingContract {

    /**
     * Returns the backend under test; {@link LeaseBackendContractTests#backend()} implements it.
     * @return the backend
     */
    LeaseBackend backend();

    /**
     * Returns a new random key; {@link LeaseBackendContractTests#uniqueKey()} implements it.
     * @return the key
     */
    String uniqueKey();

    /**
     * Returns a new random owner token; {@link LeaseBackendContractTests#newOwnerToken()} implements it.
     * @return the owner token
     */
    String newOwnerToken();

    @Test
    @DisplayName("queueing: a release hands the key to the oldest waiter, announces it to that waiter only, and keeps it from newcomers")
    default void releaseHandsTheKeyToTheOldestWaiterOnly() {
        String key = uniqueKey();
        String holder = newOwnerToken();
        AcquireResult first = queueing().tryAcquireOrQueue(key, holder, ContractTiming.LONG_LEASE, wait30s());
        assertThat(first.isGranted()).isTrue();
        Waiter oldest = new Waiter(this, key);
        Waiter younger = new Waiter(this, key);
        try (oldest; younger) {
            assertThat(oldest.attempt().isGranted()).as("first waiter while the key is held").isFalse();
            assertThat(younger.attempt().isGranted()).as("second waiter while the key is held").isFalse();
            assertThat(backend().releaseIfOwner(key, holder)).isTrue();
            oldest.awaitAnnouncement();
            AcquireResult handedOff = oldest.attempt();
            assertThat(handedOff.isGranted()).as("the oldest waiter's attempt after the hand-off").isTrue();
            if (backend() instanceof FencingLeaseBackend) {
                assertThat(handedOff.fencingToken().getAsLong()).as("the handed-off lease's fencing token")
                        .isGreaterThan(first.fencingToken().getAsLong());
            }
            assertThat(younger.announcements).as("announcements to the waiter the key was not handed to")
                    .hasValue(0);
            assertThat(backend().tryAcquire(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                    .as("a newcomer's attempt while the handed-off key is held").isFalse();
            assertThat(backend().releaseIfOwner(key, oldest.owner)).isTrue();
            younger.awaitAnnouncement();
            assertThat(younger.attempt().isGranted()).as("the next waiter's attempt after the second release")
                    .isTrue();
            assertThat(backend().releaseIfOwner(key, younger.owner)).isTrue();
        }
        assertThat(backend().tryAcquire(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                .as("an attempt once the queue is empty and the key released").isTrue();
    }

    @Test
    @DisplayName("queueing: a waiter that left the queue is skipped, and a key handed to it as it leaves goes on to the next")
    default void leavingTheQueueSkipsTheWaiterAndHandsOnWhatReachedIt() {
        String key = uniqueKey();
        String holder = newOwnerToken();
        assertThat(queueing().tryAcquireOrQueue(key, holder, ContractTiming.LONG_LEASE, wait30s()).isGranted())
                .isTrue();
        Waiter leftEarly = new Waiter(this, key);
        Waiter leftLate = new Waiter(this, key);
        Waiter stays = new Waiter(this, key);
        try (leftEarly; leftLate; stays) {
            assertThat(leftEarly.attempt().isGranted()).isFalse();
            assertThat(leftLate.attempt().isGranted()).isFalse();
            assertThat(stays.attempt().isGranted()).isFalse();
            queueing().leaveQueue(key, leftEarly.owner);
            assertThat(backend().releaseIfOwner(key, holder)).isTrue();
            leftLate.awaitAnnouncement();
            // The key reached this waiter, which gives up before claiming it: leaving hands it on.
            queueing().leaveQueue(key, leftLate.owner);
            stays.awaitAnnouncement();
            assertThat(stays.attempt().isGranted()).as("the remaining waiter's attempt").isTrue();
            assertThat(leftEarly.announcements).as("announcements to the waiter that left first").hasValue(0);
            assertThat(backend().releaseIfOwner(key, stays.owner)).isTrue();
        }
    }

    @Test
    @DisplayName("queueing: a waiter whose wait ended is skipped, and a release with nobody waiting frees the key")
    default void aWaiterWhoseWaitEndedIsSkipped() {
        String key = uniqueKey();
        String holder = newOwnerToken();
        assertThat(queueing().tryAcquireOrQueue(key, holder, ContractTiming.LONG_LEASE, wait30s()).isGranted())
                .isTrue();
        try (Waiter expired = new Waiter(this, key)) {
            assertThat(queueing().tryAcquireOrQueue(key, expired.owner, ContractTiming.LONG_LEASE,
                    Duration.ofMillis(50)).isGranted()).isFalse();
            // Lets the 50 ms wait end on the service's clock; nothing to poll for, only time to pass.
            await().pollDelay(Duration.ofMillis(200)).atMost(ContractTiming.PATIENCE).until(() -> true);
            assertThat(backend().releaseIfOwner(key, holder)).isTrue();
            assertThat(backend().tryAcquire(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                    .as("a newcomer's attempt after a release whose only waiter's wait had ended").isTrue();
            assertThat(expired.announcements).as("announcements to the waiter whose wait ended").hasValue(0);
        }
    }

    private QueueingLeaseBackend queueing() {
        assertThat(backend()).as("a test class that implements QueueingContract needs a backend that implements "
                + "QueueingLeaseBackend").isInstanceOf(QueueingLeaseBackend.class);
        return (QueueingLeaseBackend) backend();
    }

    private static Duration wait30s() {
        return ContractTiming.LONG_WAIT;
    }

    /** One waiting caller: its owner token and the announcements it heard. */
    final class Waiter implements AutoCloseable {

        final String key;

        final String owner;

        final AtomicInteger announcements = new AtomicInteger();

        private final ReleaseSubscription subscription;

        private final QueueingContract contract;

        private Waiter(QueueingContract contract, String key) {
            this.contract = contract;
            this.key = key;
            this.owner = contract.newOwnerToken();
            this.subscription = contract.queueing().subscribeToHandOff(key, this.owner,
                    this.announcements::incrementAndGet);
        }

        AcquireResult attempt() {
            return this.contract.queueing().tryAcquireOrQueue(this.key, this.owner, ContractTiming.LONG_LEASE,
                    ContractTiming.LONG_WAIT);
        }

        void awaitAnnouncement() {
            await().atMost(ContractTiming.PATIENCE).pollInterval(ContractTiming.POLL_INTERVAL)
                    .until(() -> this.announcements.get() > 0);
        }

        @Override
        public void close() {
            this.subscription.close();
            this.contract.queueing().leaveQueue(this.key, this.owner);
        }

    }

}
