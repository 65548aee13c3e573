package io.github.distlock.core.spi;

/**
 * Capability: the backend can tell waiters that a key was released (Redis pub/sub, a ZooKeeper watch, an etcd
 * watch, PostgreSQL {@code LISTEN}), so the engine sleeps until a release instead of polling.
 *
 * <p>Notifications are a hint: they may be spurious, and they may be missed (a dropped connection, an expiry that
 * the service does not announce). The engine therefore also retries no later than the holder's remaining lease
 * time or its backoff cap. A backend must share one underlying subscription among all keys and callers rather than
 * opening one per waiting call, and must invoke callbacks quickly without blocking.
 *
 * @since 0.1.0
 */
public interface ReleaseNotifyingBackend extends LeaseBackend {

    /**
     * Registers a callback run whenever the key may have become free.
     * @param key the lock key
     * @param onRelease the callback; runs on a backend thread and must not block
     * @return the registration, closed by the engine when it stops waiting
     */
    ReleaseSubscription subscribeToReleases(String key, Runnable onRelease);

}
