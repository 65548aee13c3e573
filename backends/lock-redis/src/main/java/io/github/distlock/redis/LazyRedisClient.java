package io.github.distlock.redis;

import java.util.Objects;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.UnifiedJedis;

/**
 * Creates the Jedis client on first use, and again on a later use if creating it failed (Sentinel and Cluster
 * clients contact the servers when they are built). An application therefore starts while Redis is down; lock calls
 * fail until Redis answers and then recover by themselves. Thread-safe.
 */
public final class LazyRedisClient implements Supplier<UnifiedJedis>, AutoCloseable {

    private final Supplier<UnifiedJedis> factory;

    // Written under synchronized(this); volatile for the lock-free read on the hot path.
    private volatile @Nullable UnifiedJedis client;

    private boolean closed;

    /**
     * Creates a lazy client for a topology.
     * @param topology where Redis is
     * @param client connection settings for Redis servers
     * @param sentinel connection settings for sentinels
     * @param poolSize the most connections per server
     */
    public LazyRedisClient(RedisTopology topology, JedisClientConfig client, JedisClientConfig sentinel, int poolSize) {
        this(() -> topology.connect(client, sentinel, poolSize));
    }

    /**
     * Creates a lazy client from any factory.
     * @param factory builds the client
     */
    public LazyRedisClient(Supplier<UnifiedJedis> factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    @Override
    public UnifiedJedis get() {
        UnifiedJedis current = this.client;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (this.closed) {
                throw new IllegalStateException("The Redis client was closed");
            }
            if (this.client == null) {
                this.client = this.factory.get();
            }
            return this.client;
        }
    }

    /**
     * Closes the client if it was created.
     */
    @Override
    public synchronized void close() {
        this.closed = true;
        if (this.client != null) {
            this.client.close();
            this.client = null;
        }
    }

}
