package io.github.distlock.benchmarks.contenders;

import java.time.Duration;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.redis.RedisLockOptions;
import io.github.distlock.redis.RedisTopology;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;

/**
 * This project: {@link LockEngine} over {@link RedisLeaseBackend} with default settings, so every lease carries a
 * fencing token, is renewed by the shared watchdog, and waiters sleep until a release is announced. Each node has
 * its own Jedis pool, backend (with its release subscription) and engine.
 */
final class DistlockContender implements LockContender {

    /** Connections per node: one per thread of the 16-thread scenario, the same as the floor's. */
    static final int POOL_SIZE = 16;

    private static final Duration LEASE_TIME = Duration.ofSeconds(30);

    private final String host;

    private final int port;

    private final NodeRegistry nodes = new NodeRegistry();

    DistlockContender(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public Node openNode() {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().build();
        RedisConnections connections = RedisConnections.create(RedisTopology.standalone(this.host, this.port), config,
                config, POOL_SIZE);
        RedisLeaseBackend backend = new RedisLeaseBackend(connections, RedisLockOptions.defaults());
        LockEngine engine = new LockEngine(backend);
        return this.nodes.track(new Node() {

            @Override
            public @Nullable Held acquire(String key, Duration wait) throws InterruptedException {
                try {
                    Lease lease = engine.acquire(LockRequest.of(key, LEASE_TIME).withWaitTime(wait));
                    return lease::release;
                }
                catch (LockNotAcquiredException ex) {
                    return null;
                }
            }

            @Override
            public void close() {
                engine.close();
                backend.close();
                connections.close();
            }

        });
    }

    // The floor's client: a pooled Jedis client like the backend's own, with Jedis's default retries.
    static UnifiedJedis connect(String host, int port) {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().build();
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(POOL_SIZE);
        pool.setMaxIdle(POOL_SIZE);
        return new UnifiedJedis(new PooledConnectionProvider(new HostAndPort(host, port), config, pool), 3,
                Duration.ofSeconds(6));
    }

    @Override
    public void close() {
        this.nodes.closeAll();
    }

}
