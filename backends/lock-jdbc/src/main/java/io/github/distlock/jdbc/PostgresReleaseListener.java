package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code LISTEN} per backend on the table's release channel, shared by all waiting keys: a dedicated connection
 * taken from the data source when the first waiter subscribes, and one daemon thread that reads notifications
 * (each carries the released key) and runs the callbacks registered for that key.
 *
 * <p>When the connection breaks, every registered callback is run once (the waiters retry at once instead of
 * sleeping until a holder's expiry, since a release may have been missed), and the thread reconnects after
 * {@link #RECONNECT_DELAY}; meanwhile new subscriptions fail, so that their waiters fall back to backoff. Callbacks
 * must not block: they run on the listener thread.
 *
 * <p>Only this class touches the PostgreSQL driver's API; it is loaded only when that driver is present. Thread-safe.
 */
final class PostgresReleaseListener implements AutoCloseable {

    static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

    private static final int POLL_MILLIS = 250;

    private static final Logger logger = LoggerFactory.getLogger(PostgresReleaseListener.class);

    private static final AtomicInteger threadCount = new AtomicInteger();

    private final DataSource dataSource;

    private final String channel;

    private final ConcurrentHashMap<String, Set<Registration>> registrations = new ConcurrentHashMap<>();

    // Guarded by this: the listening connection (null while disconnected; set by the first subscriber, then by the
    // listener thread only), the listener thread (set by the first subscriber) and whether close() ran.
    private @Nullable Connection connection;

    private @Nullable Thread thread;

    private boolean closed;

    PostgresReleaseListener(DataSource dataSource, String channel) {
        this.dataSource = dataSource;
        this.channel = channel;
    }

    /**
     * Registers a callback for releases of the key, listening first if nobody does yet.
     * @throws IllegalStateException if the channel cannot be listened to now (the engine then falls back to backoff)
     */
    ReleaseSubscription register(String key, Runnable callback) {
        ensureListening();
        Registration registration = new Registration(callback);
        this.registrations.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>()).add(registration);
        return () -> this.registrations.computeIfPresent(key, (k, set) -> {
            set.remove(registration);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * Stops the listener thread, which then ends its {@code LISTEN} and gives its connection back.
     */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            this.closed = true;
            running = this.thread;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(RECONNECT_DELAY.toMillis() + POLL_MILLIS * 4L);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        this.registrations.clear();
    }

    private synchronized void ensureListening() {
        if (this.closed) {
            throw new IllegalStateException("The release listener of channel " + this.channel + " is closed");
        }
        if (this.connection == null) {
            if (this.thread != null) {
                throw new IllegalStateException("The release listener of channel " + this.channel
                        + " is reconnecting");
            }
            try {
                this.connection = listeningConnection();
            }
            catch (SQLException ex) {
                throw new IllegalStateException("Cannot listen to channel " + this.channel + ": " + ex.getMessage(), ex);
            }
        }
        if (this.thread == null) {
            Thread started = new Thread(this::run, "distlock-jdbc-releases-" + threadCount.incrementAndGet());
            started.setDaemon(true);
            this.thread = started;
            started.start();
        }
    }

    private Connection listeningConnection() throws SQLException {
        Connection listening = this.dataSource.getConnection();
        try {
            listening.setAutoCommit(true);
            try (Statement statement = listening.createStatement()) {
                // Names the connection for operators (pg_stat_activity); the channel is a plain identifier.
                statement.execute("SET application_name = 'distlock release listener'");
                statement.execute("LISTEN " + this.channel);
            }
            return listening;
        }
        catch (SQLException | RuntimeException ex) {
            listening.close();
            throw ex;
        }
    }

    private void run() {
        try {
            listen();
        }
        finally {
            synchronized (this) {
                giveBack(this.connection);
                this.connection = null;
            }
        }
    }

    // Only this thread uses the connection once it runs: a pooled connection must not be read from by two threads,
    // nor go back to the pool while it is read from or still listening.
    private void listen() {
        while (true) {
            Connection current;
            synchronized (this) {
                if (this.closed) {
                    return;
                }
                current = this.connection;
            }
            try {
                if (current == null) {
                    Thread.sleep(RECONNECT_DELAY.toMillis());
                    reconnect();
                    continue;
                }
                PGNotification[] notifications = current.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
                if (notifications != null) {
                    for (PGNotification notification : notifications) {
                        wake(notification.getParameter());
                    }
                }
            }
            catch (InterruptedException ex) {
                return;
            }
            catch (SQLException | RuntimeException ex) {
                synchronized (this) {
                    if (this.closed) {
                        return;
                    }
                    logger.warn("Release listener on channel {} lost its connection; reconnecting in {}", this.channel,
                            RECONNECT_DELAY, ex);
                    giveBack(this.connection);
                    this.connection = null;
                }
                // A release may have been announced while the connection was down: let every waiter retry now.
                this.registrations.keySet().forEach(this::wake);
            }
        }
    }

    private void reconnect() {
        try {
            Connection reconnected = listeningConnection();
            synchronized (this) {
                if (this.closed) {
                    reconnected.close();
                    return;
                }
                this.connection = reconnected;
            }
            this.registrations.keySet().forEach(this::wake);
        }
        catch (SQLException | RuntimeException ex) {
            logger.debug("Release listener on channel {} could not reconnect yet", this.channel, ex);
        }
    }

    private void wake(String key) {
        Set<Registration> registered = this.registrations.get(key);
        if (registered == null) {
            return;
        }
        for (Registration registration : registered) {
            try {
                registration.callback.run();
            }
            catch (RuntimeException ex) {
                logger.warn("Release callback for lock '{}' failed", key, ex);
            }
        }
    }

    private void giveBack(@Nullable Connection listening) {
        if (listening == null) {
            return;
        }
        try (Statement statement = listening.createStatement()) {
            statement.execute("UNLISTEN *");
        }
        catch (SQLException ex) {
            logger.debug("UNLISTEN on the release listener's connection failed", ex);
        }
        try {
            listening.close();
        }
        catch (SQLException ex) {
            logger.debug("Closing the release listener's connection failed", ex);
        }
    }

    /** One callback; a distinct object per subscription, so that closing one leaves an equal callback registered. */
    private static final class Registration {

        private final Runnable callback;

        Registration(Runnable callback) {
            this.callback = callback;
        }

    }

}
