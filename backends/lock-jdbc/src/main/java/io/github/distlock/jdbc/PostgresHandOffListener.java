package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.distlock.core.spi.ReleaseCallbacks;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code LISTEN} per backend on the backend's own node channel, and only while anyone waits: the first waiter
 * takes a connection from the data source for it and starts one daemon thread that reads notifications (each carries
 * {@code key LF owner}, the waiter a release handed the key to) and runs the callbacks registered under that text.
 * When the last waiter has gone and none came back for {@link #DEFAULT_IDLE_GRACE}, the thread ends its
 * {@code LISTEN}, gives the connection back to the pool and stops; the next waiter starts a new one. The grace keeps
 * a busy key, whose waiters come and go, from reconnecting for every waiter.
 *
 * <p>A registration and the decision to stop are taken under the same lock: a listener that decided to stop is
 * detached from this object at once, so a waiter registering afterwards starts a listener of its own and is never
 * left registered without one (the stopping thread gives back its own connection meanwhile).
 *
 * <p>When the connection breaks, every registered callback is run once (the waiters retry at once instead of
 * sleeping until a holder's expiry, since a release may have been missed), and the thread reconnects after
 * {@link #RECONNECT_DELAY}; meanwhile new subscriptions fail, so that their waiters fall back to backoff. Callbacks
 * must not block: they run on the listener thread, never under this object's lock.
 *
 * <p>Only this class touches the PostgreSQL driver's API; it is loaded only when that driver is present. Thread-safe.
 */
final class PostgresHandOffListener implements AutoCloseable {

    static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

    /** How long the listener stays without waiters before it gives its connection back. */
    static final Duration DEFAULT_IDLE_GRACE = Duration.ofSeconds(1);

    private static final int POLL_MILLIS = 250;

    private static final Logger logger = LoggerFactory.getLogger(PostgresHandOffListener.class);

    private static final AtomicInteger threadCount = new AtomicInteger();

    private final DataSource dataSource;

    private final String channel;

    private final long idleGraceNanos;

    // Changed only under this object's lock, read without it by the listener thread (wake).
    private final ReleaseCallbacks registrations = new ReleaseCallbacks();

    // Guarded by this: the running listener (set by the first waiter, cleared by its thread when it stops or by
    // close()), since when no registration was open (System.nanoTime), and whether close() ran.
    private @Nullable Session session;

    private long idleSinceNanos;

    private boolean closed;

    PostgresHandOffListener(DataSource dataSource, String channel) {
        this(dataSource, channel, DEFAULT_IDLE_GRACE);
    }

    PostgresHandOffListener(DataSource dataSource, String channel, Duration idleGrace) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.idleGraceNanos = idleGrace.toNanos();
    }

    /**
     * Registers a callback for releases of the key, starting to listen first if nobody does.
     * @throws IllegalStateException if the channel cannot be listened to now (the engine then falls back to backoff)
     */
    ReleaseSubscription register(String key, Runnable callback) {
        ReleaseSubscription registration;
        synchronized (this) {
            if (this.closed) {
                throw new IllegalStateException("The release listener of channel " + this.channel + " is closed");
            }
            if (this.session == null) {
                this.session = start();
            }
            else if (this.session.connection == null) {
                throw new IllegalStateException("The release listener of channel " + this.channel
                        + " is reconnecting");
            }
            registration = this.registrations.add(key, callback);
        }
        return () -> unregister(registration);
    }

    /**
     * Stops the listener thread, which then ends its {@code LISTEN} and gives its connection back.
     */
    @Override
    public void close() {
        Session running;
        synchronized (this) {
            this.closed = true;
            running = this.session;
            this.session = null;
        }
        if (running != null) {
            running.thread.interrupt();
            try {
                running.thread.join(RECONNECT_DELAY.toMillis() + POLL_MILLIS * 4L);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            this.registrations.clear();
        }
    }

    /** Whether a listener is running (for tests). */
    synchronized boolean isListening() {
        return this.session != null;
    }

    private synchronized void unregister(ReleaseSubscription registration) {
        int before = this.registrations.registered();
        registration.close();
        if (before > 0 && this.registrations.registered() == 0) {
            this.idleSinceNanos = System.nanoTime();
        }
    }

    /** Called under the lock by the first waiter: the connection is made here, so that its failure reaches it. */
    private Session start() {
        Connection listening;
        try {
            listening = listeningConnection();
        }
        catch (SQLException | RuntimeException ex) {
            throw new IllegalStateException("Cannot listen to channel " + this.channel + ": "
                    + CredentialMasking.mask(ex.getMessage()), CredentialMasking.maskChain(ex));
        }
        Session started = new Session(listening);
        started.thread.start();
        return started;
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

    /** Whether the session must stop: closed, or nobody has waited for the idle grace. Called under the lock. */
    private boolean mustStop(Session session) {
        return this.closed || this.session != session
                || (this.registrations.registered() == 0
                        && System.nanoTime() - this.idleSinceNanos >= this.idleGraceNanos);
    }

    private void wake(String key) {
        this.registrations.notifyReleased(key);
    }

    private void wakeEveryone() {
        this.registrations.notifyEveryone();
    }

    private static void giveBack(@Nullable Connection listening) {
        if (listening == null) {
            return;
        }
        try (Statement statement = listening.createStatement()) {
            // Back in the pool, the connection must neither listen nor carry the listener's name.
            statement.execute("UNLISTEN *");
            statement.execute("RESET application_name");
        }
        catch (SQLException ex) {
            logger.debug("Ending LISTEN on the release listener's connection failed", CredentialMasking.maskChain(ex));
        }
        try {
            listening.close();
        }
        catch (SQLException ex) {
            logger.debug("Closing the release listener's connection failed", CredentialMasking.maskChain(ex));
        }
    }

    /** One running listener: its connection and its thread, which alone uses the connection once it runs. */
    private final class Session implements Runnable {

        private final Thread thread;

        // Guarded by the listener's lock: null while reconnecting; set by the waiter that started the session, then
        // by the session's thread only.
        private @Nullable Connection connection;

        Session(Connection connection) {
            this.connection = connection;
            this.thread = new Thread(this, "distlock-jdbc-hand-offs-" + threadCount.incrementAndGet());
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                listen();
            }
            finally {
                Connection last;
                synchronized (PostgresHandOffListener.this) {
                    last = this.connection;
                    this.connection = null;
                    if (PostgresHandOffListener.this.session == this) {
                        PostgresHandOffListener.this.session = null;
                    }
                }
                giveBack(last);
            }
        }

        // A pooled connection must not be read from by two threads, nor go back to the pool while it is read from or
        // still listening: only this thread uses it, and gives it back.
        private void listen() {
            while (true) {
                Connection current;
                synchronized (PostgresHandOffListener.this) {
                    if (mustStop(this)) {
                        // Detached under the lock that registrations take: a waiter registering from now on starts
                        // a listener of its own, while this one gives its connection back.
                        if (PostgresHandOffListener.this.session == this) {
                            PostgresHandOffListener.this.session = null;
                        }
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
                    PGNotification[] notifications = current.unwrap(PGConnection.class)
                        .getNotifications(POLL_MILLIS);
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
                    Connection broken;
                    synchronized (PostgresHandOffListener.this) {
                        if (PostgresHandOffListener.this.closed) {
                            return;
                        }
                        broken = this.connection;
                        this.connection = null;
                    }
                    logger.warn("Release listener on channel {} lost its connection; reconnecting in {}",
                            PostgresHandOffListener.this.channel, RECONNECT_DELAY, CredentialMasking.maskChain(ex));
                    giveBack(broken);
                    // A release may have been announced while the connection was down: let every waiter retry now.
                    wakeEveryone();
                }
            }
        }

        private void reconnect() {
            Connection reconnected;
            try {
                reconnected = listeningConnection();
            }
            catch (SQLException | RuntimeException ex) {
                logger.debug("Release listener on channel {} could not reconnect yet",
                        PostgresHandOffListener.this.channel, CredentialMasking.maskChain(ex));
                return;
            }
            synchronized (PostgresHandOffListener.this) {
                if (PostgresHandOffListener.this.session == this) {
                    this.connection = reconnected;
                    reconnected = null;
                }
            }
            if (reconnected != null) {
                giveBack(reconnected);
                return;
            }
            wakeEveryone();
        }

    }

}
