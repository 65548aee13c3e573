package io.github.distlock.redis;

import java.time.Duration;
import java.util.List;

import io.github.distlock.testservers.RedisClusterGroup;
import io.github.distlock.testservers.RedisSentinelGroup;
import io.github.distlock.testservers.RedisServer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;

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

    static RedisConnections standalone(RedisServer server) {
        return RedisConnections.create(RedisTopology.standalone(server.host(), server.port()), config(), config(), 8);
    }

    static RedisConnections sentinel(RedisSentinelGroup group) {
        List<HostAndPort> sentinels = group.sentinelPorts().stream()
            .map(port -> new HostAndPort("127.0.0.1", port))
            .toList();
        return RedisConnections.create(RedisTopology.sentinel(group.masterName(), sentinels), config(), config(), 16);
    }

    static RedisConnections cluster(RedisClusterGroup cluster) {
        List<HostAndPort> nodes = cluster.nodes().stream()
            .map(node -> new HostAndPort(node.host(), node.port()))
            .toList();
        return RedisConnections.create(RedisTopology.cluster(nodes), config(), config(), 16);
    }

    /** An application's own pooled client, as a user would build it. */
    static UnifiedJedis applicationClient(RedisServer server) {
        return new UnifiedJedis(new PooledConnectionProvider(new HostAndPort(server.host(), server.port()), config()),
                3, TIMEOUT.multipliedBy(3));
    }

}
