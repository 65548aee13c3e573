package io.github.distlock.redis;

import java.time.Duration;

import io.github.distlock.testkit.server.RedisServer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.UnifiedJedis;

/**
 * Clients and timing constants shared by this module's tests.
 */
final class RedisTestClients {

    /** Connect and read timeout of test clients: short, so that a dead server fails a call quickly. */
    static final Duration TIMEOUT = Duration.ofMillis(1000);

    /** A lease short enough to expire within a test. */
    static final Duration SHORT_LEASE = Duration.ofMillis(500);

    /** Generous bound for anything that should happen promptly on a loaded 2-core machine. */
    static final Duration EVENTUALLY = Duration.ofSeconds(20);

    private RedisTestClients() {
    }

    static JedisClientConfig config() {
        return DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis((int) TIMEOUT.toMillis())
            .socketTimeoutMillis((int) TIMEOUT.toMillis())
            .build();
    }

    static UnifiedJedis standalone(RedisServer server) {
        return RedisTopology.standalone(server.host(), server.port()).connect(config(), config(), 8);
    }

}
