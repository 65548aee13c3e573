package io.github.distlock.redis;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;

/**
 * Where the lock service is: one server, a Sentinel-monitored master, or a Cluster; and how to build a Jedis client
 * for it. Uses only the Jedis API that exists from Jedis 7.0 through 8.x. Immutable.
 */
public sealed interface RedisTopology {

    /**
     * One server, reached through a connection pool.
     * @param host the host
     * @param port the port
     * @return the topology
     */
    static RedisTopology standalone(String host, int port) {
        return new Standalone(new HostAndPort(host, port));
    }

    /**
     * A master found through Sentinel; the client follows failovers.
     * @param masterName the name the sentinels monitor the master under
     * @param sentinels the sentinels' addresses
     * @return the topology
     */
    static RedisTopology sentinel(String masterName, List<HostAndPort> sentinels) {
        return new Sentinel(masterName, List.copyOf(sentinels));
    }

    /**
     * A Redis Cluster, discovered from any of the given nodes.
     * @param nodes some of the cluster's nodes
     * @return the topology
     */
    static RedisTopology cluster(List<HostAndPort> nodes) {
        return new Cluster(List.copyOf(nodes));
    }

    /**
     * Builds a client. Construction may contact the servers (Sentinel and Cluster discover their topology), so a
     * caller that must not fail while Redis is down defers it with {@link LazyRedisClient}.
     * @param client the connection settings for Redis servers (credentials, database, TLS, timeouts)
     * @param sentinel the connection settings for sentinels (used by {@link Sentinel} only)
     * @param poolSize the most connections per server
     * @return the client, closed by the caller
     */
    UnifiedJedis connect(JedisClientConfig client, JedisClientConfig sentinel, int poolSize);

    /**
     * One server.
     * @param address the server's address
     */
    record Standalone(HostAndPort address) implements RedisTopology {

        @Override
        public UnifiedJedis connect(JedisClientConfig client, JedisClientConfig sentinel, int poolSize) {
            return new UnifiedJedis(new PooledConnectionProvider(this.address, client, pool(poolSize)),
                    retryAttempts(), retryBudget(client));
        }

    }

    /**
     * A Sentinel-monitored master.
     * @param masterName the monitored name
     * @param sentinels the sentinels
     */
    record Sentinel(String masterName, List<HostAndPort> sentinels) implements RedisTopology {

        /**
         * Validates the topology.
         */
        public Sentinel {
            Objects.requireNonNull(masterName, "masterName");
            if (sentinels.isEmpty()) {
                throw new IllegalArgumentException("at least one sentinel is required");
            }
        }

        @Override
        public UnifiedJedis connect(JedisClientConfig client, JedisClientConfig sentinel, int poolSize) {
            return new UnifiedJedis(new SentineledConnectionProvider(this.masterName, client, pool(poolSize),
                    new LinkedHashSet<>(this.sentinels), sentinel), retryAttempts(), retryBudget(client));
        }

    }

    /**
     * A Redis Cluster.
     * @param nodes seed nodes
     */
    record Cluster(List<HostAndPort> nodes) implements RedisTopology {

        /**
         * Validates the topology.
         */
        public Cluster {
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("at least one cluster node is required");
            }
        }

        @Override
        public UnifiedJedis connect(JedisClientConfig client, JedisClientConfig sentinel, int poolSize) {
            return new JedisCluster(new LinkedHashSet<>(this.nodes), client);
        }

    }

    private static GenericObjectPoolConfig<Connection> pool(int poolSize) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setJmxEnabled(false);
        return pool;
    }

    // A command that fails on a broken connection is tried again on a new one: every lock script is safe to
    // repeat (acquire recognises its own owner token, renew and release are owner-checked).
    private static int retryAttempts() {
        return 3;
    }

    private static Duration retryBudget(JedisClientConfig client) {
        return Duration.ofMillis(3L * Math.max(client.getSocketTimeoutMillis(), client.getConnectionTimeoutMillis()));
    }

}
