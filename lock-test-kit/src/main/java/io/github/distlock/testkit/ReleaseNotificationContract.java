package io.github.distlock.testkit;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract of a backend that announces releases ({@link ReleaseNotifyingBackend}), as a mix-in for a test
 * class that extends {@link LeaseBackendContractTests} or {@link FencingLeaseBackendContractTests}:
 * <pre class="code">
 * class RedisLeaseBackendContractTest extends FencingLeaseBackendContractTests
 *         implements ReleaseNotificationContract { ... }
 * </pre>
 * The tests run exactly when a test class declares the capability, so none is ever skipped; a backend that does not
 * implement {@link ReleaseNotifyingBackend} fails them.
 *
 * <p>A subscription may become active shortly after {@code subscribeToReleases} returns (Redis pub/sub, a watch), so
 * the tests release the key again until the notification arrives; notifications are hints and may be spurious, so
 * they never assert that a subscriber stayed silent unless its subscription was closed.
 *
 * @since 0.1.0
 */
public interface ReleaseNotificationContract {

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
    @DisplayName("release notification: a subscriber is called after releaseIfOwner")
    default void subscriberIsCalledAfterReleaseIfOwner() {
        String key = uniqueKey();
        AtomicInteger calls = new AtomicInteger();
        try (ReleaseSubscription subscription = notifyingBackend().subscribeToReleases(key, calls::incrementAndGet)) {
            awaitNotification(key, calls);
        }
    }

    @Test
    @DisplayName("release notification: a closed subscription is not called")
    default void closedSubscriptionIsNotCalled() {
        String key = uniqueKey();
        AtomicInteger closedCalls = new AtomicInteger();
        AtomicInteger openCalls = new AtomicInteger();
        AtomicBoolean closed = new AtomicBoolean();
        // Only calls after the close count: a backend may announce a key that is free already while the
        // subscription is still open (a ZooKeeper watch set on a missing node).
        ReleaseSubscription closing = notifyingBackend().subscribeToReleases(key, () -> {
            if (closed.get()) {
                closedCalls.incrementAndGet();
            }
        });
        closing.close();
        closed.set(true);
        try (ReleaseSubscription open = notifyingBackend().subscribeToReleases(key, openCalls::incrementAndGet)) {
            awaitNotification(key, openCalls);
        }
        assertThat(closedCalls).as("calls of the closed subscription").hasValue(0);
    }

    @Test
    @DisplayName("release notification: closing a subscription twice leaves other subscriptions to the key working")
    default void closingASubscriptionTwiceLeavesOtherSubscriptionsWorking() {
        String key = uniqueKey();
        AtomicInteger calls = new AtomicInteger();
        Runnable sameCallback = calls::incrementAndGet;
        ReleaseSubscription closedTwice = notifyingBackend().subscribeToReleases(key, sameCallback);
        try (ReleaseSubscription other = notifyingBackend().subscribeToReleases(key, sameCallback)) {
            closedTwice.close();
            closedTwice.close();
            awaitNotification(key, calls);
        }
    }

    private ReleaseNotifyingBackend notifyingBackend() {
        assertThat(backend()).as("a test class that implements ReleaseNotificationContract needs a backend that "
                + "implements ReleaseNotifyingBackend").isInstanceOf(ReleaseNotifyingBackend.class);
        return (ReleaseNotifyingBackend) backend();
    }

    private void awaitNotification(String key, AtomicInteger calls) {
        await().atMost(ContractTiming.PATIENCE).pollInterval(ContractTiming.POLL_INTERVAL).until(() -> {
            String owner = newOwnerToken();
            AcquireResult result = backend().tryAcquire(key, owner, ContractTiming.LONG_LEASE);
            assertThat(result.isGranted()).as("the key must be free between releases").isTrue();
            assertThat(backend().releaseIfOwner(key, owner)).isTrue();
            return calls.get() > 0;
        });
    }

}
