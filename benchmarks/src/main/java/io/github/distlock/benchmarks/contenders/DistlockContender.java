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
final class DistlockContender extends RedisContender {

    /** Connections per node: one per thread of the 16-thread scenario, the same as the floor's. */
    static final int POOL_SIZE = 16;

    private static final Duration LEASE_TIME = Duration.ofSeconds(30);

    DistlockContender(String host, int port) {
        super(host, port);
    }

    @Override
    Node open() {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().build();
        RedisConnections connections = RedisConnections.create(RedisTopology.standalone(this.host, this.port), config,
                config, POOL_SIZE);
        RedisLeaseBackend backend = new RedisLeaseBackend(connections, RedisLockOptions.defaults());
        return engineNode(new LockEngine(backend), backend, connections);
    }

    /**
     * Returns a node that locks through this project's engine, as an application does, and closes the engine and
     * then what it runs on.
     * @param engine the engine
     * @param closedAfterwards the backend and its connections, closed in this order
     * @return the node
     */
    static Node engineNode(LockEngine engine, AutoCloseable... closedAfterwards) {
        return Node.of((key, wait) -> {
            try {
                Lease lease = engine.acquire(LockRequest.of(key, LEASE_TIME).withWaitTime(wait));
                return lease::release;
            }
            catch (LockNotAcquiredException ex) {
                return null;
            }
        }, () -> {
            engine.close();
            for (AutoCloseable resource : closedAfterwards) {
                try {
                    resource.close();
                }
                catch (Exception ex) {
                    throw new IllegalStateException("Cannot close " + resource, ex);
                }
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

}
