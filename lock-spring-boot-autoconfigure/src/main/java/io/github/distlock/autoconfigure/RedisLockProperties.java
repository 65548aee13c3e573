package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedlockLeaseBackend;
import io.github.distlock.redis.RedisLockOptions;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code distributed-lock.redis.*} properties: where the Redis of the lock backend is and how its keys are named.
 * Fields and their defaults only: the rules live in {@link RedisLockOptions} and {@link RedisConnectionSettings},
 * which name the property when a value is invalid. The connection properties are also bound from
 * {@code spring.data.redis.*} into an instance of this class when none of ours is set.
 *
 * <p>Mutable while the binder fills it; not meant to be changed afterwards. Not thread-safe.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(RedisLockProperties.PREFIX)
public class RedisLockProperties {

    static final String PREFIX = DistributedLockProperties.PREFIX + ".redis";

    /**
     * Connection URL (redis:// or rediss://), overriding host, port, username, password and database.
     */
    private @Nullable String url;

    /**
     * Redis server host, localhost by default.
     */
    private @Nullable String host;

    /**
     * Redis server port, 6379 by default.
     */
    private @Nullable Integer port;

    /**
     * Login username (Redis 6 ACL user).
     */
    private @Nullable String username;

    /**
     * Login password.
     */
    private @Nullable String password;

    /**
     * Database index, 0 by default (a Redis Cluster has no other).
     */
    private @Nullable Integer database;

    /**
     * Longest wait for a new connection to a Redis server, at most the timeout; by default that of
     * spring.data.redis when its connection is used, else 2s.
     */
    private @Nullable Duration connectTimeout;

    /**
     * Longest a lock call waits for Redis in all (a free pooled connection, connecting, retries on new
     * connections and the reply) before it fails with LockUnavailableException; also bounds how long a silent
     * hand-off subscription goes unnoticed. By default that of spring.data.redis when its connection is used,
     * else 2s.
     */
    private @Nullable Duration timeout;

    /**
     * Prefix of every Redis key the lock backend writes, to keep locks apart from other data.
     */
    private String keyPrefix = RedisLockOptions.defaults().keyPrefix();

    /**
     * Longest lock key accepted, without the key prefix.
     */
    private int maxKeyLength = RedisLockOptions.defaults().maxKeyLength();

    /**
     * Number of replicas that must acknowledge an acquire (Redis WAIT) before it counts as granted.
     */
    private int replicaAcknowledgements = RedisLockOptions.defaults().replicasToAcknowledge();

    /**
     * How long an acquire waits for replicas to acknowledge it.
     */
    private Duration replicaAcknowledgementTimeout = RedisLockOptions.defaults().replicaAcknowledgementTimeout();

    /**
     * How long the last fencing token of a released lock is kept.
     */
    private Duration tokenRetention = RedisLockOptions.defaults().tokenRetention();

    private final Ssl ssl = new Ssl();

    private final Pool pool = new Pool();

    private final Sentinel sentinel = new Sentinel();

    private final Cluster cluster = new Cluster();

    private final Redlock redlock = new Redlock();

    public @Nullable String getUrl() {
        return this.url;
    }

    public void setUrl(@Nullable String url) {
        this.url = url;
    }

    public @Nullable String getHost() {
        return this.host;
    }

    public void setHost(@Nullable String host) {
        this.host = host;
    }

    public @Nullable Integer getPort() {
        return this.port;
    }

    public void setPort(@Nullable Integer port) {
        this.port = port;
    }

    public @Nullable String getUsername() {
        return this.username;
    }

    public void setUsername(@Nullable String username) {
        this.username = username;
    }

    public @Nullable String getPassword() {
        return this.password;
    }

    public void setPassword(@Nullable String password) {
        this.password = password;
    }

    public @Nullable Integer getDatabase() {
        return this.database;
    }

    public void setDatabase(@Nullable Integer database) {
        this.database = database;
    }

    public @Nullable Duration getConnectTimeout() {
        return this.connectTimeout;
    }

    public void setConnectTimeout(@Nullable Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public @Nullable Duration getTimeout() {
        return this.timeout;
    }

    public void setTimeout(@Nullable Duration timeout) {
        this.timeout = timeout;
    }

    public String getKeyPrefix() {
        return this.keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public int getMaxKeyLength() {
        return this.maxKeyLength;
    }

    public void setMaxKeyLength(int maxKeyLength) {
        this.maxKeyLength = maxKeyLength;
    }

    public int getReplicaAcknowledgements() {
        return this.replicaAcknowledgements;
    }

    public void setReplicaAcknowledgements(int replicaAcknowledgements) {
        this.replicaAcknowledgements = replicaAcknowledgements;
    }

    public Duration getReplicaAcknowledgementTimeout() {
        return this.replicaAcknowledgementTimeout;
    }

    public void setReplicaAcknowledgementTimeout(Duration replicaAcknowledgementTimeout) {
        this.replicaAcknowledgementTimeout = replicaAcknowledgementTimeout;
    }

    public Duration getTokenRetention() {
        return this.tokenRetention;
    }

    public void setTokenRetention(Duration tokenRetention) {
        this.tokenRetention = tokenRetention;
    }

    public Ssl getSsl() {
        return this.ssl;
    }

    public Pool getPool() {
        return this.pool;
    }

    public Sentinel getSentinel() {
        return this.sentinel;
    }

    public Cluster getCluster() {
        return this.cluster;
    }

    public Redlock getRedlock() {
        return this.redlock;
    }

    /**
     * Returns whether any property that says where Redis is or how to log in is set.
     * @return {@code true} if this connection is configured
     */
    boolean hasConnectionProperties() {
        return this.url != null || this.host != null || this.port != null || this.username != null
                || this.password != null || this.database != null || this.ssl.enabled != null
                || this.ssl.bundle != null || this.sentinel.master != null || this.sentinel.nodes != null
                || this.sentinel.username != null || this.sentinel.password != null
                || this.cluster.nodes != null;
    }

    /**
     * TLS to Redis.
     */
    public static class Ssl {

        /**
         * Whether to connect with TLS, by default when a bundle is set.
         */
        private @Nullable Boolean enabled;

        /**
         * Name of the SSL bundle (spring.ssl.bundle.*) with the trust material and client key.
         */
        private @Nullable String bundle;

        public boolean isEnabled() {
            return (this.enabled != null) ? this.enabled : this.bundle != null;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable String getBundle() {
            return this.bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }

    }

    /**
     * The connection pool of each Redis server.
     */
    public static class Pool {

        /**
         * Most pooled connections to each Redis server; the hand-off subscription has a connection of its own.
         */
        private int maxSize = RedisConnections.DEFAULT_POOL_SIZE;

        public int getMaxSize() {
            return this.maxSize;
        }

        public void setMaxSize(int maxSize) {
            this.maxSize = maxSize;
        }

    }

    /**
     * A master found through Redis Sentinel.
     */
    public static class Sentinel {

        /**
         * Name the sentinels monitor the master under.
         */
        private @Nullable String master;

        /**
         * Sentinels as "host:port" pairs.
         */
        private @Nullable List<String> nodes;

        /**
         * Login username of the sentinels.
         */
        private @Nullable String username;

        /**
         * Login password of the sentinels.
         */
        private @Nullable String password;

        public @Nullable String getMaster() {
            return this.master;
        }

        public void setMaster(@Nullable String master) {
            this.master = master;
        }

        public @Nullable List<String> getNodes() {
            return this.nodes;
        }

        public void setNodes(@Nullable List<String> nodes) {
            this.nodes = nodes;
        }

        public @Nullable String getUsername() {
            return this.username;
        }

        public void setUsername(@Nullable String username) {
            this.username = username;
        }

        public @Nullable String getPassword() {
            return this.password;
        }

        public void setPassword(@Nullable String password) {
            this.password = password;
        }

    }

    /**
     * A Redis Cluster.
     */
    public static class Cluster {

        /**
         * Cluster nodes to discover the cluster from, as "host:port" pairs.
         */
        private @Nullable List<String> nodes;

        public @Nullable List<String> getNodes() {
            return this.nodes;
        }

        public void setNodes(@Nullable List<String> nodes) {
            this.nodes = nodes;
        }

    }

    /**
     * Redlock over independent Redis masters, instead of one server, Sentinel or Cluster.
     */
    public static class Redlock {

        /**
         * Independent Redis masters (not replicas of one another) as "host:port" pairs, an odd number of at least
         * 3; setting it selects Redlock, and a lock is held on a majority of them. Credentials, database and TLS
         * are those of distributed-lock.redis.
         */
        private @Nullable List<String> nodes;

        /**
         * Time limit of each call to one master (connecting included), much shorter than the lease time, so that a
         * silent master costs an attempt little.
         */
        private Duration nodeTimeout = RedlockLeaseBackend.DEFAULT_NODE_TIMEOUT;

        public @Nullable List<String> getNodes() {
            return this.nodes;
        }

        public void setNodes(@Nullable List<String> nodes) {
            this.nodes = nodes;
        }

        public Duration getNodeTimeout() {
            return this.nodeTimeout;
        }

        public void setNodeTimeout(Duration nodeTimeout) {
            this.nodeTimeout = nodeTimeout;
        }

    }

}
