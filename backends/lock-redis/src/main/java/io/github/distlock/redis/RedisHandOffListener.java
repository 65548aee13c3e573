package io.github.distlock.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.spi.ReleaseCallbacks;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;

/**
 * One pub/sub subscription per backend, shared by all keys and all waiting calls: a single thread subscribes to
 * the backend's own node channel on a connection of its own and dispatches each announced hand-off
 * ({@code "storedKey\nowner"}) to the callback registered for that key and owner. Started on the first
 * registration, which waits (at most the connections' time limit) until the subscription is confirmed, so the first
 * hand-off to this node is not published before anyone listens.
 *
 * <ul>
 * <li>The connection is never handed back to a pool: when the subscription ends for any reason it is closed, so no
 * unread message or reply can ever reach a command ({@link RedisConnections#discard}).</li>
 * <li>A heartbeat sends a {@code PING} on the subscription every {@link #HEARTBEAT}. A connection that has not
 * answered one within the connections' time limit (or not confirmed its subscription within it) is closed: a
 * half-open connection is noticed within the time limit plus two heartbeats.</li>
 * <li>Whenever the subscription is (re)established or breaks, every registered callback runs once, since releases
 * may have been missed meanwhile; the thread resubscribes with backoff.</li>
 * </ul>
 * Thread-safe.
 */
final class RedisHandOffListener implements AutoCloseable {

    /** How often the subscription is pinged. */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private static final Logger logger = LoggerFactory.getLogger(RedisHandOffListener.class);

    private static final long MIN_RETRY_MILLIS = 50;

    private static final long MAX_RETRY_MILLIS = 1000;

    private final RedisConnections connections;

    private final String channel;

    private final long deadAfterNanos;

    private final ReleaseCallbacks callbacks = new ReleaseCallbacks();

    // The subscription now running: set by the listener thread while it runs one, read by the heartbeat and close().
    private volatile @Nullable Subscription current;

    // Written under synchronized(this) by startIfNeeded and close.
    private @Nullable Thread thread;

    private @Nullable ScheduledFuture<?> heartbeat;

    private volatile boolean closed;

    private final CountDownLatch firstSubscription = new CountDownLatch(1);

    RedisHandOffListener(RedisConnections connections, String channel) {
        this.connections = connections;
        this.channel = channel;
        this.deadAfterNanos = connections.timeout().toNanos();
    }

    /**
     * Registers a callback for one announcement.
     * @param announcement the message a hand-off publishes: the stored key, a line break and the owner token
     * @param callback what to run; must not block
     * @return the registration
     */
    ReleaseSubscription register(String announcement, Runnable callback) {
        startIfNeeded();
        try {
            // Bounded: with Redis down the caller's attempt fails anyway, and later registrations do not wait.
            this.firstSubscription.await(this.deadAfterNanos, TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return this.callbacks.add(announcement, callback);
    }

    /**
     * Ends the subscription: its connection is closed (which ends the listener thread's read) and never reused.
     */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            this.closed = true;
            running = this.thread;
            if (this.heartbeat != null) {
                this.heartbeat.cancel(false);
            }
        }
        Subscription subscription = this.current;
        if (subscription != null) {
            subscription.disconnect();
        }
        if (running != null) {
            // Ends a backoff sleep between two subscriptions.
            running.interrupt();
            try {
                running.join(2000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void startIfNeeded() {
        if (this.thread != null || this.closed) {
            return;
        }
        Thread listener = new Thread(this::listen, "distlock-redis-hand-offs");
        listener.setDaemon(true);
        this.thread = listener;
        listener.start();
        this.heartbeat = Heartbeats.TIMER.scheduleWithFixedDelay(this::beat, HEARTBEAT.toMillis(),
                HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void listen() {
        long retryMillis = MIN_RETRY_MILLIS;
        while (!this.closed) {
            Connection connection = null;
            try {
                connection = this.connections.openSubscriptionConnection();
                Subscription subscription = new Subscription(connection);
                this.current = subscription;
                if (this.closed) {
                    return;
                }
                subscription.pubSub.proceed(connection, this.channel);
                retryMillis = MIN_RETRY_MILLIS;
            }
            catch (RuntimeException ex) {
                if (this.closed) {
                    return;
                }
                logger.debug("Hand-off subscription on {} at {} broke; resubscribing in {} ms", this.channel,
                        this.connections.describe(""), retryMillis, ex);
            }
            finally {
                this.current = null;
                if (connection != null) {
                    RedisConnections.discard(connection);
                }
            }
            wakeAll();
            try {
                Thread.sleep(retryMillis);
            }
            catch (InterruptedException interrupted) {
                return;
            }
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
        }
    }

    /** On the shared heartbeat thread: pings the subscription, or closes it when it stopped answering. */
    private void beat() {
        Subscription subscription = this.current;
        if (subscription == null || this.closed) {
            return;
        }
        long now = System.nanoTime();
        if (!subscription.pubSub.isSubscribed()) {
            if (now - subscription.startedNanos > this.deadAfterNanos) {
                logger.warn("Hand-off subscription on {} at {} was not confirmed within {}; reconnecting", this.channel,
                        this.connections.describe(""), this.connections.timeout());
                subscription.disconnect();
            }
            return;
        }
        long sent = subscription.pingSentNanos;
        if (sent != 0) {
            if (now - sent > this.deadAfterNanos) {
                logger.warn("Hand-off subscription on {} at {} did not answer a PING within {}; reconnecting, and "
                        + "every waiter retries at once", this.channel, this.connections.describe(""),
                        this.connections.timeout());
                subscription.disconnect();
            }
            return;
        }
        subscription.pingSentNanos = now;
        try {
            subscription.pubSub.ping();
        }
        catch (RuntimeException ex) {
            subscription.disconnect();
        }
    }

    private void wakeAll() {
        this.callbacks.notifyEveryone();
    }

    /** One subscription on one connection. */
    private final class Subscription {

        final Connection connection;

        final long startedNanos = System.nanoTime();

        // When the PING now unanswered was sent, or 0; written by the heartbeat and by the listener's onPong.
        volatile long pingSentNanos;

        final JedisPubSub pubSub = new JedisPubSub() {

            @Override
            public void onSubscribe(String channel, int subscribedChannels) {
                // Hand-offs announced while we were not subscribed are lost: let every waiter retry once.
                wakeAll();
                RedisHandOffListener.this.firstSubscription.countDown();
            }

            @Override
            public void onMessage(String channel, String announcement) {
                RedisHandOffListener.this.callbacks.notifyReleased(announcement);
            }

            @Override
            public void onPong(String pattern) {
                Subscription.this.pingSentNanos = 0;
            }

        };

        Subscription(Connection connection) {
            this.connection = connection;
        }

        // From another thread: closing the socket ends the listener's blocking read, without a flush that could
        // block on a connection that stopped reading.
        void disconnect() {
            try {
                this.connection.forceDisconnect();
            }
            catch (IOException | RuntimeException ex) {
                logger.debug("Closing the hand-off subscription's connection failed", ex);
            }
        }

    }

    /** The timer shared by the heartbeats of all listeners in the JVM; its tasks are short and never block. */
    private static final class Heartbeats {

        static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "distlock-redis-heartbeat");
            thread.setDaemon(true);
            return thread;
        });

        static {
            TIMER.setRemoveOnCancelPolicy(true);
        }

    }

}
