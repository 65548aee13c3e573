package io.github.distlock.jdbc;

import javax.sql.DataSource;

import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

/**
 * A {@link JdbcLeaseBackend} on PostgreSQL that also tells waiters when a key is released: every release runs
 * {@code pg_notify} on the table's channel ({@link JdbcLockOptions#releaseChannel()}) with the key as payload, and
 * one {@code LISTEN} per backend, on a connection of its own taken from the data source when the first waiter
 * subscribes, runs the callbacks of that key. Notifications are hints: an expiry is never announced, and one sent
 * while the listening connection was down is lost, so the engine still retries by the holder's remaining lease.
 *
 * <p>While anyone waits, the listener holds one connection of the pool and one thread. Once nobody has waited for
 * a second (so that a busy key's waiters, coming and going, share one listener), it ends its {@code LISTEN}, gives
 * the connection back and its thread ends, within about 1.25 s of the last waiter leaving; the next waiter starts it
 * again. {@link #close()} stops it at once. Thread-safe.
 *
 * @since 0.1.0
 */
public final class NotifyingJdbcLeaseBackend extends JdbcLeaseBackend implements ReleaseNotifyingBackend {

    private final PostgresReleaseListener listener;

    NotifyingJdbcLeaseBackend(DataSource dataSource, JdbcLockOptions options, JdbcPlatform platform) {
        super(dataSource, options, platform);
        this.listener = new PostgresReleaseListener(dataSource, options.releaseChannel());
    }

    /**
     * Registers a callback run whenever the key may have become free.
     * @throws IllegalStateException if the channel cannot be listened to now; the engine then waits with backoff
     */
    @Override
    public ReleaseSubscription subscribeToReleases(String key, Runnable onRelease) {
        return this.listener.register(key, onRelease);
    }

    /**
     * Stops listening and gives the listener's connection back; the data source stays open.
     */
    @Override
    public void close() {
        this.listener.close();
    }

}
