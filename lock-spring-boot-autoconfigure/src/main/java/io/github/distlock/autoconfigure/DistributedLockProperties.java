package io.github.distlock.autoconfigure;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.LeaseLostAction;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The {@code distributed-lock.*} configuration properties. After binding, every value is checked, and an invalid
 * one fails start-up with an {@link InvalidConfigurationPropertyValueException} that names the property.
 *
 * <p>Mutable while the binder fills it; not meant to be changed afterwards. Not thread-safe.
 */
@ConfigurationProperties(DistributedLockProperties.PREFIX)
public class DistributedLockProperties implements InitializingBean {

    static final String PREFIX = "distributed-lock";

    /**
     * Whether to take distributed locks for methods annotated with @DistributedLock.
     */
    private boolean enabled = true;

    /**
     * Lease backend to use, detected from the classpath when not set.
     */
    private @Nullable LockBackendType backend;

    /**
     * Lease time of locked methods that do not set one.
     */
    private Duration leaseTime = Duration.ofSeconds(30);

    /**
     * Wait time of locked methods that wait for a held lock and do not set one.
     */
    private Duration waitTime = Duration.ofSeconds(5);

    /**
     * Longest wait time a locked method may declare.
     */
    private Duration maxWaitTime = Duration.ofMinutes(10);

    /**
     * Prefix put before every lock name, to separate applications that share a backend.
     */
    private String keyPrefix = "";

    /**
     * Order of the lock advisor, by default just outside the transaction advisor.
     */
    private int order = DistributedLockSettings.DEFAULT_ADVISOR_ORDER;

    /**
     * What happens when a lease was lost while its method ran.
     */
    private LeaseLostAction onLeaseLost = LeaseLostAction.THROW;

    private final Renewal renewal = new Renewal();

    private final Backoff backoff = new Backoff();

    private final Redis redis = new Redis();

    private final Jdbc jdbc = new Jdbc();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable LockBackendType getBackend() {
        return this.backend;
    }

    public void setBackend(@Nullable LockBackendType backend) {
        this.backend = backend;
    }

    public Duration getLeaseTime() {
        return this.leaseTime;
    }

    public void setLeaseTime(Duration leaseTime) {
        this.leaseTime = leaseTime;
    }

    public Duration getWaitTime() {
        return this.waitTime;
    }

    public void setWaitTime(Duration waitTime) {
        this.waitTime = waitTime;
    }

    public Duration getMaxWaitTime() {
        return this.maxWaitTime;
    }

    public void setMaxWaitTime(Duration maxWaitTime) {
        this.maxWaitTime = maxWaitTime;
    }

    public String getKeyPrefix() {
        return this.keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public int getOrder() {
        return this.order;
    }

    public void setOrder(int order) {
        this.order = order;
    }

    public LeaseLostAction getOnLeaseLost() {
        return this.onLeaseLost;
    }

    public void setOnLeaseLost(LeaseLostAction onLeaseLost) {
        this.onLeaseLost = onLeaseLost;
    }

    public Renewal getRenewal() {
        return this.renewal;
    }

    public Backoff getBackoff() {
        return this.backoff;
    }

    public Redis getRedis() {
        return this.redis;
    }

    public Jdbc getJdbc() {
        return this.jdbc;
    }

    /**
     * Checks every value once binding is complete.
     * @throws InvalidConfigurationPropertyValueException naming the first invalid property
     */
    @Override
    public void afterPropertiesSet() {
        requirePositive("lease-time", this.leaseTime);
        requireNotNegative("wait-time", this.waitTime);
        requireNotNegative("max-wait-time", this.maxWaitTime);
        if (this.waitTime.compareTo(this.maxWaitTime) > 0) {
            throw invalid("wait-time", this.waitTime,
                    "must not be longer than " + PREFIX + ".max-wait-time (" + this.maxWaitTime + ")");
        }
        requireNotNull("key-prefix", this.keyPrefix);
        requireNotNull("on-lease-lost", this.onLeaseLost);
        double ratio = this.renewal.ratio;
        double mostRatio = LockEngineSettings.maxRenewalRatio(LockEngineSettings.defaults().clockDriftFactor());
        if (!(ratio > 0 && ratio <= mostRatio)) {
            throw invalid("renewal.ratio", ratio, "must be greater than 0 and at most " + mostRatio
                    + ", so that a failed renewal leaves time for another attempt before the lease's validity ends");
        }
        if (this.renewal.threads < 1) {
            throw invalid("renewal.threads", this.renewal.threads, "must be at least 1");
        }
        requirePositive("backoff.initial", this.backoff.initial);
        requirePositive("backoff.max", this.backoff.max);
        if (this.backoff.max.compareTo(this.backoff.initial) < 0) {
            throw invalid("backoff.max", this.backoff.max,
                    "must not be shorter than " + PREFIX + ".backoff.initial (" + this.backoff.initial + ")");
        }
        this.redis.validateConnection(PREFIX + ".redis");
        this.redis.validateLockOptions(PREFIX + ".redis");
        // The table and schema names and the row retention are checked where the JDBC backend is created: their rules
        // live in lock-jdbc.
        requireNotNull("jdbc.table-name", this.jdbc.tableName);
        requireNotNull("jdbc.initialize-schema", this.jdbc.initializeSchema);
        requirePositive("jdbc.query-timeout", this.jdbc.queryTimeout);
        requireNotNull("jdbc.expired-row-retention", this.jdbc.expiredRowRetention);
    }

    private static void requirePositive(String name, @Nullable Duration value) {
        requireNotNull(name, value);
        if (value.isNegative() || value.isZero()) {
            throw invalid(name, value, "must be positive");
        }
    }

    private static void requireNotNegative(String name, @Nullable Duration value) {
        requireNotNull(name, value);
        if (value.isNegative()) {
            throw invalid(name, value, "must not be negative");
        }
    }

    // The binder may set null for an empty value, although the fields are declared non-null.
    private static void requireNotNull(String name, @Nullable Object value) {
        if (value == null) {
            throw invalid(name, null, "must be set");
        }
    }

    private static InvalidConfigurationPropertyValueException invalid(String name, @Nullable Object value,
            String reason) {
        return new InvalidConfigurationPropertyValueException(PREFIX + "." + name, value, reason);
    }

    private static void requirePositive(String prefix, String name, @Nullable Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new InvalidConfigurationPropertyValueException(prefix + "." + name, value, "must be positive");
        }
    }

    /**
     * Renewal of held leases.
     */
    public static class Renewal {

        /**
         * Fraction of the lease time after which a held lease is renewed, and again after each renewal; greater than
         * 0 and at most 0.495.
         */
        private double ratio = 0.33;

        /**
         * Most renewal calls in flight at once; a renewal stuck in a slow backend call holds one of these threads
         * and delays no other lease's renewal while others are free.
         */
        private int threads = LockEngineSettings.DEFAULT_RENEWAL_THREADS;

        public double getRatio() {
            return this.ratio;
        }

        public void setRatio(double ratio) {
            this.ratio = ratio;
        }

        public int getThreads() {
            return this.threads;
        }

        public void setThreads(int threads) {
            this.threads = threads;
        }

    }

    /**
     * Pauses between attempts while waiting for a held lock, when the backend cannot announce releases.
     */
    public static class Backoff {

        /**
         * First pause between two attempts to take a held lock.
         */
        private Duration initial = Duration.ofMillis(10);

        /**
         * Longest pause between two attempts to take a held lock.
         */
        private Duration max = Duration.ofMillis(500);

        public Duration getInitial() {
            return this.initial;
        }

        public void setInitial(Duration initial) {
            this.initial = initial;
        }

        public Duration getMax() {
            return this.max;
        }

        public void setMax(Duration max) {
            this.max = max;
        }

    }

    /**
     * The Redis lock service: where it is, how to log in, and how lock keys are stored. When none of the connection
     * properties (url, host, port, username, password, database, ssl, sentinel, cluster) is set, the connection
     * of {@code spring.data.redis.*} is used, and without that {@code localhost:6379}.
     */
    public static class Redis {

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
         * Longest a lock call waits for Redis in all (a free pooled connection, connecting, one retry on a new
         * connection and the reply) before it fails with LockUnavailableException; also bounds how long a silent
         * release subscription goes unnoticed. By default that of spring.data.redis when its connection is used,
         * else 2s.
         */
        private @Nullable Duration timeout;

        /**
         * Prefix of every Redis key the lock backend writes, to keep locks apart from other data.
         */
        private String keyPrefix = "distlock:";

        /**
         * Longest lock key accepted, without the key prefix.
         */
        private int maxKeyLength = 1024;

        /**
         * Number of replicas that must acknowledge an acquire (Redis WAIT) before it counts as granted.
         */
        private int replicaAcknowledgements = 0;

        /**
         * How long an acquire waits for replicas to acknowledge it.
         */
        private Duration replicaAcknowledgementTimeout = Duration.ofSeconds(1);

        /**
         * How long the last fencing token of a released lock is kept.
         */
        private Duration tokenRetention = Duration.ofSeconds(2);

        private final Ssl ssl = new Ssl();

        private final Pool pool = new Pool();

        private final Sentinel sentinel = new Sentinel();

        private final Cluster cluster = new Cluster();

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
         * Checks the connection properties. Also used for {@code spring.data.redis.*}, bound into an instance of this
         * class, so every message names the property under the prefix it came from.
         * @param prefix the property prefix, for example {@code distributed-lock.redis}
         * @throws InvalidConfigurationPropertyValueException naming the first invalid property
         */
        void validateConnection(String prefix) {
            if (this.url != null) {
                parseUrl(prefix);
            }
            if (this.port != null && (this.port < 1 || this.port > 65535)) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".port", this.port,
                        "must be between 1 and 65535");
            }
            if (this.host != null && this.host.isBlank()) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".host", this.host, "must not be blank");
            }
            if (this.database != null && this.database < 0) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".database", this.database,
                        "must not be negative");
            }
            requirePositive(prefix, "connect-timeout", this.connectTimeout);
            requirePositive(prefix, "timeout", this.timeout);
            if (this.pool.maxSize < 1) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".pool.max-size", this.pool.maxSize,
                        "must be at least 1");
            }
            if (this.sentinel.master != null && this.sentinel.master.isBlank()) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".sentinel.master",
                        this.sentinel.master, "must not be blank");
            }
            if (this.sentinel.master != null && isEmpty(this.sentinel.nodes)) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".sentinel.nodes", this.sentinel.nodes,
                        "must list at least one sentinel (host:port) when " + prefix + ".sentinel.master is set");
            }
            if (this.sentinel.master == null && !isEmpty(this.sentinel.nodes)) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".sentinel.master", null,
                        "must be set when " + prefix + ".sentinel.nodes is set");
            }
            requireNodes(prefix + ".sentinel.nodes", this.sentinel.nodes);
            requireNodes(prefix + ".cluster.nodes", this.cluster.nodes);
            if (this.cluster.nodes != null && this.sentinel.master != null) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".cluster.nodes", this.cluster.nodes,
                        "must not be set together with " + prefix + ".sentinel.master");
            }
            if (this.cluster.nodes != null && this.cluster.nodes.isEmpty()) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".cluster.nodes", this.cluster.nodes,
                        "must list at least one node (host:port)");
            }
            if (this.cluster.nodes != null) {
                // The URL overrides the database property, so the value that counts is named.
                boolean fromUrl = this.url != null;
                int database = fromUrl ? parseUrl(prefix).database() : (this.database != null) ? this.database : 0;
                if (database != 0) {
                    String reason = "must select database 0 with " + prefix
                            + ".cluster.nodes: a Redis Cluster has no other";
                    if (fromUrl) {
                        throw RedisUrl.invalid(prefix + ".url", this.url, reason);
                    }
                    throw new InvalidConfigurationPropertyValueException(prefix + ".database", database, reason);
                }
            }
        }

        /**
         * Checks the properties that shape the lock keys and acquires.
         * @param prefix the property prefix
         * @throws InvalidConfigurationPropertyValueException naming the first invalid property
         */
        void validateLockOptions(String prefix) {
            if (this.keyPrefix == null) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".key-prefix", null, "must be set");
            }
            if (this.maxKeyLength < 1) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".max-key-length", this.maxKeyLength,
                        "must be at least 1");
            }
            if (this.replicaAcknowledgements < 0) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".replica-acknowledgements",
                        this.replicaAcknowledgements, "must not be negative");
            }
            if (this.replicaAcknowledgementTimeout == null) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".replica-acknowledgement-timeout", null,
                        "must be set");
            }
            requirePositive(prefix, "replica-acknowledgement-timeout", this.replicaAcknowledgementTimeout);
            if (this.tokenRetention == null || this.tokenRetention.toMillis() < 1) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".token-retention", this.tokenRetention,
                        "must be at least 1ms");
            }
        }

        /**
         * Parses {@link #getUrl()}.
         * @param prefix the property prefix, for messages
         * @return the parts of the URL
         * @throws InvalidConfigurationPropertyValueException if the URL is not a valid Redis URL
         */
        RedisUrl parseUrl(String prefix) {
            String name = prefix + ".url";
            String value = (this.url != null) ? this.url : "";
            URI uri;
            try {
                uri = new URI(value);
            }
            catch (URISyntaxException ex) {
                throw RedisUrl.invalid(name, value, "is not a valid URL: " + ex.getReason());
            }
            String scheme = uri.getScheme();
            if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
                throw RedisUrl.invalid(name, value, "must start with redis:// or rediss://");
            }
            if (uri.getHost() == null || uri.getHost().isBlank()) {
                throw RedisUrl.invalid(name, value, "must name a host");
            }
            int database = 0;
            String path = uri.getPath();
            if (path != null && path.length() > 1) {
                try {
                    database = Integer.parseInt(path.substring(1));
                }
                catch (NumberFormatException ex) {
                    database = -1;
                }
                if (database < 0) {
                    throw RedisUrl.invalid(name, value, "must end with a database index (/0, /1, ...) or nothing");
                }
            }
            String user = null;
            String secret = null;
            String userInfo = uri.getUserInfo();
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                user = (colon < 0) ? null : userInfo.substring(0, colon);
                secret = (colon < 0) ? userInfo : userInfo.substring(colon + 1);
                user = (user == null || user.isEmpty()) ? null : user;
                secret = secret.isEmpty() ? null : secret;
            }
            return new RedisUrl("rediss".equals(scheme), uri.getHost(), (uri.getPort() < 0) ? 6379 : uri.getPort(),
                    user, secret, database);
        }

        private static boolean isEmpty(@Nullable List<String> nodes) {
            return nodes == null || nodes.isEmpty();
        }

        private static void requireNodes(String name, @Nullable List<String> nodes) {
            if (nodes == null) {
                return;
            }
            for (String node : nodes) {
                int colon = (node != null) ? node.lastIndexOf(':') : -1;
                boolean valid = colon > 0;
                if (valid) {
                    try {
                        int port = Integer.parseInt(node.substring(colon + 1).trim());
                        valid = port >= 1 && port <= 65535;
                    }
                    catch (NumberFormatException ex) {
                        valid = false;
                    }
                }
                if (!valid) {
                    throw new InvalidConfigurationPropertyValueException(name, nodes,
                            "'" + node + "' is not host:port with a port between 1 and 65535");
                }
            }
        }

        /**
         * The parts of a {@code redis://} or {@code rediss://} URL.
         * @param ssl whether the scheme is {@code rediss}
         * @param host the host
         * @param port the port, 6379 when the URL names none
         * @param username the user, or {@code null}
         * @param password the password, or {@code null}
         * @param database the database index, 0 when the URL names none
         */
        record RedisUrl(boolean ssl, String host, int port, @Nullable String username, @Nullable String password,
                int database) {

            /**
             * Returns the exception for an invalid URL property, which shows the URL masked and never lets Boot print
             * it from the environment.
             */
            static SecretPropertyValueException invalid(String property, String url, String reason) {
                return new SecretPropertyValueException(property, mask(url), reason, "Fix " + property
                        + ": redis://[user:password@]host[:port][/database], or rediss://... for TLS (URL-encode a "
                        + "password that holds @, / or :); or leave it unset and set host, port, username, password "
                        + "and database on their own");
            }

            /**
             * Masks the user-info of a URL for messages and logs: everything between {@code //} and the last
             * {@code @} becomes {@code ******}, so neither the user nor a password (even one holding {@code @},
             * {@code /} or {@code :}, as in a malformed URL) is shown.
             */
            static String mask(String url) {
                int authority = url.indexOf("//");
                int at = url.lastIndexOf('@');
                if (authority < 0 || at < authority) {
                    return url;
                }
                return url.substring(0, authority + 2) + "******" + url.substring(at);
            }

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
             * Most connections to each Redis server, one of which the release notifications hold.
             */
            private int maxSize = 16;

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

    }


    /**
     * The lock table in a relational database: which DataSource, which table, and whether to create it.
     */
    public static class Jdbc {

        /**
         * Name of the DataSource bean for lock statements; by default the application's only or primary DataSource.
         */
        private @Nullable String dataSource;

        /**
         * Schema of the lock table (the database on MariaDB); by default the connection's current schema.
         */
        private @Nullable String schema;

        /**
         * Name of the lock table, a plain SQL identifier; its sequence is named <table-name>_token_seq.
         */
        private String tableName = "distributed_lock";

        /**
         * When to create a missing lock table, its sequence and its index at start-up.
         */
        private InitializeSchema initializeSchema = InitializeSchema.EMBEDDED;

        /**
         * Longest time a lock statement may run before the driver cancels it, in whole seconds.
         */
        private Duration queryTimeout = Duration.ofSeconds(5);

        /**
         * How long the row of an ended lock is kept before the clean-up may delete it; longer than the query timeout.
         */
        private Duration expiredRowRetention = Duration.ofMinutes(1);

        public @Nullable String getDataSource() {
            return this.dataSource;
        }

        public void setDataSource(@Nullable String dataSource) {
            this.dataSource = dataSource;
        }

        public @Nullable String getSchema() {
            return this.schema;
        }

        public void setSchema(@Nullable String schema) {
            this.schema = schema;
        }

        public String getTableName() {
            return this.tableName;
        }

        public void setTableName(String tableName) {
            this.tableName = tableName;
        }

        public InitializeSchema getInitializeSchema() {
            return this.initializeSchema;
        }

        public void setInitializeSchema(InitializeSchema initializeSchema) {
            this.initializeSchema = initializeSchema;
        }

        public Duration getQueryTimeout() {
            return this.queryTimeout;
        }

        public void setQueryTimeout(Duration queryTimeout) {
            this.queryTimeout = queryTimeout;
        }

        public Duration getExpiredRowRetention() {
            return this.expiredRowRetention;
        }

        public void setExpiredRowRetention(Duration expiredRowRetention) {
            this.expiredRowRetention = expiredRowRetention;
        }

        /**
         * When the lock table is created at start-up.
         */
        public enum InitializeSchema {

            /**
             * Only when the database is H2, the embedded database of development and tests; elsewhere the schema comes
             * from the application's migrations.
             */
            EMBEDDED,

            /**
             * In every database, where the table, sequence or index is missing.
             */
            ALWAYS,

            /**
             * Never: a missing table fails start-up.
             */
            NEVER

        }

    }

}
