package io.github.distlock.redis;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Supplier;

import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * One pub/sub subscription per backend, shared by all keys and all waiting calls: a single thread subscribes to
 * the release channel and dispatches each announced key to the callbacks registered for it. When the subscription
 * breaks (server restart, failover) the thread resubscribes with backoff and then wakes every registered callback,
 * since releases may have been missed meanwhile. Started on the first registration. Thread-safe.
 */
final class RedisReleaseListener implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(RedisReleaseListener.class);

    private static final long MIN_RETRY_MILLIS = 50;

    private static final long MAX_RETRY_MILLIS = 1000;

    private final Supplier<? extends UnifiedJedis> client;

    private final String channel;

    private final ConcurrentHashMap<String, Set<Runnable>> callbacks = new ConcurrentHashMap<>();

    // Written by the listener thread when it subscribes; read by close().
    private volatile @Nullable JedisPubSub subscription;

    // Written under synchronized(this) by start and close.
    private @Nullable Thread thread;

    private volatile boolean closed;

    RedisReleaseListener(Supplier<? extends UnifiedJedis> client, String channel) {
        this.client = client;
        this.channel = channel;
    }

    ReleaseSubscription register(String storedKey, Runnable callback) {
        startIfNeeded();
        Runnable registration = callback::run;
        this.callbacks.computeIfAbsent(storedKey, k -> new CopyOnWriteArraySet<>()).add(registration);
        return () -> this.callbacks.computeIfPresent(storedKey, (k, set) -> {
            set.remove(registration);
            return set.isEmpty() ? null : set;
        });
    }

    boolean isSubscribed() {
        JedisPubSub current = this.subscription;
        return current != null && current.isSubscribed();
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            this.closed = true;
            running = this.thread;
        }
        JedisPubSub current = this.subscription;
        if (current != null && current.isSubscribed()) {
            try {
                current.unsubscribe();
            }
            catch (RuntimeException ex) {
                logger.debug("Unsubscribing from {} failed", this.channel, ex);
            }
        }
        if (running != null) {
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
        Thread listener = new Thread(this::listen, "distlock-redis-releases");
        listener.setDaemon(true);
        this.thread = listener;
        listener.start();
    }

    private void listen() {
        long retryMillis = MIN_RETRY_MILLIS;
        while (!this.closed) {
            JedisPubSub pubSub = new JedisPubSub() {

                @Override
                public void onSubscribe(String channel, int subscribedChannels) {
                    // Releases announced while we were not subscribed are lost: let every waiter retry once.
                    wakeAll();
                }

                @Override
                public void onMessage(String channel, String storedKey) {
                    Set<Runnable> registered = RedisReleaseListener.this.callbacks.get(storedKey);
                    if (registered != null) {
                        registered.forEach(Runnable::run);
                    }
                }

            };
            this.subscription = pubSub;
            try {
                this.client.get().subscribe(pubSub, this.channel);
                retryMillis = MIN_RETRY_MILLIS;
            }
            catch (RuntimeException ex) {
                if (this.closed) {
                    return;
                }
                logger.debug("Release subscription on {} broke; resubscribing in {} ms", this.channel, retryMillis, ex);
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
    }

    private void wakeAll() {
        this.callbacks.values().forEach(set -> set.forEach(Runnable::run));
    }

}
