package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLParameters;

import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisTopology;

import org.jspecify.annotations.Nullable;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.core.env.Environment;

/**
 * How the Redis backend connects: the Jedis settings, the topology and the time limit of a call, from
 * {@link DistributedLockRedisConnectionDetails} (where Redis is, how to log in) and the timeout properties
 * ({@code distributed-lock.redis.timeout} and {@code .connect-timeout}, else those of {@code spring.data.redis}).
 *
 * <p>It also knows which property holds the credentials, when the details come from properties, for
 * {@link RedisConnectionCheck}. Immutable.
 */
final class RedisConnectionSettings {

    static final String SPRING_DATA_PREFIX = "spring.data.redis";

    private final RedisTopology topology;

    private final JedisClientConfig clientConfig;

    private final JedisClientConfig sentinelConfig;

    private final int poolSize;

    private final String description;

    private final @Nullable RedisCredentialsSource credentials;

    private final boolean passwordSet;

    private final boolean sentinelPasswordSet;

    private RedisConnectionSettings(RedisTopology topology, JedisClientConfig clientConfig,
            JedisClientConfig sentinelConfig, int poolSize, String description,
            @Nullable RedisCredentialsSource credentials, boolean passwordSet, boolean sentinelPasswordSet) {
        this.topology = topology;
        this.clientConfig = clientConfig;
        this.sentinelConfig = sentinelConfig;
        this.poolSize = poolSize;
        this.description = description;
        this.credentials = credentials;
        this.passwordSet = passwordSet;
        this.sentinelPasswordSet = sentinelPasswordSet;
    }

    /**
     * Reads the connection details the application uses when it declares none: {@code distributed-lock.redis.*}
     * when any connection property there is set, else {@code spring.data.redis.*}, bound from the
     * {@link Environment} so that Spring Data Redis need not be on the classpath (with nothing set there either,
     * {@code localhost:6379}, as for Spring Boot's own Redis connection).
     * @param own the bound {@code distributed-lock.redis.*} properties
     * @param environment where {@code spring.data.redis.*} is read from
     * @param sslBundles the application's SSL bundles, if it has them
     * @return the details
     * @throws InvalidConfigurationPropertyValueException naming an invalid property of the chosen source
     */
    static PropertiesRedisConnectionDetails fromProperties(RedisLockProperties own, Environment environment,
            @Nullable SslBundles sslBundles) {
        if (own.hasConnectionProperties()) {
            return PropertiesRedisConnectionDetails.of(own, RedisLockProperties.PREFIX, sslBundles);
        }
        return PropertiesRedisConnectionDetails.of(springDataRedis(environment), SPRING_DATA_PREFIX, sslBundles);
    }

    /**
     * Resolves the settings.
     * @param details where Redis is and how to log in
     * @param own the bound {@code distributed-lock.redis.*} properties (timeouts and pool)
     * @param environment where {@code spring.data.redis.*} timeouts are read from when ours are not set
     * @return the settings
     * @throws InvalidConfigurationPropertyValueException naming an invalid timeout
     */
    static RedisConnectionSettings resolve(DistributedLockRedisConnectionDetails details, RedisLockProperties own,
            Environment environment) {
        requirePositive(RedisLockProperties.PREFIX + ".timeout", own.getTimeout());
        requirePositive(RedisLockProperties.PREFIX + ".connect-timeout", own.getConnectTimeout());
        // Timeouts are client tuning rather than an address: ours apply to whichever connection is used. The read
        // timeout is the time limit of a whole lock call; connecting must fit into it.
        Binder binder = Binder.get(environment);
        Duration springTimeout = binder.bind(SPRING_DATA_PREFIX + ".timeout", Duration.class).orElse(null);
        Duration springConnectTimeout = binder.bind(SPRING_DATA_PREFIX + ".connect-timeout", Duration.class)
            .orElse(null);
        requirePositive(SPRING_DATA_PREFIX + ".timeout", springTimeout);
        requirePositive(SPRING_DATA_PREFIX + ".connect-timeout", springConnectTimeout);
        int readTimeout = millis(firstSet(own.getTimeout(), springTimeout));
        int connectTimeout = Math.min(readTimeout, millis(firstSet(own.getConnectTimeout(), springConnectTimeout)));
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(connectTimeout)
            .socketTimeoutMillis(readTimeout)
            .user(details.getUsername())
            .password(details.getPassword());
        DefaultJedisClientConfig.Builder sentinel = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(connectTimeout)
            .socketTimeoutMillis(readTimeout);
        RedisTopology topology;
        String where;
        DistributedLockRedisConnectionDetails.Sentinel monitored = details.getSentinel();
        DistributedLockRedisConnectionDetails.Cluster cluster = details.getCluster();
        DistributedLockRedisConnectionDetails.Standalone standalone = details.getStandalone();
        if (monitored != null) {
            topology = RedisTopology.sentinel(monitored.master(), hostsAndPorts(monitored.nodes()));
            where = "master '" + monitored.master() + "' of sentinels " + monitored.nodes();
            client.database(monitored.database());
            sentinel.user(monitored.username()).password(monitored.password());
        }
        else if (cluster != null) {
            topology = RedisTopology.cluster(hostsAndPorts(cluster.nodes()));
            where = "cluster " + cluster.nodes();
        }
        else if (standalone != null) {
            topology = RedisTopology.standalone(standalone.host(), standalone.port());
            where = standalone.host() + ":" + standalone.port();
            client.database(standalone.database());
        }
        else {
            throw new IllegalStateException("The Redis connection details " + details.getSource() + " name neither "
                    + "one server, nor a Sentinel master, nor a Cluster; the lock backend needs one of them");
        }
        if (details.isSslEnabled()) {
            applySsl(client, sentinel, details.getSslBundle());
        }
        String description = "Redis " + where + (details.isSslEnabled() ? " over TLS" : "") + " (from "
                + details.getSource() + ")";
        RedisCredentialsSource credentials = (details instanceof RedisCredentialsSource source) ? source : null;
        return new RedisConnectionSettings(topology, client.build(), sentinel.build(), own.getPool().getMaxSize(),
                description, credentials, details.getPassword() != null,
                monitored != null && monitored.password() != null);
    }

    /**
     * Reads the Redlock masters from {@code distributed-lock.redis.redlock.nodes}.
     * @param own the bound {@code distributed-lock.redis.*} properties
     * @return the masters' addresses, in the order given
     * @throws InvalidConfigurationPropertyValueException naming the property when an entry is not host:port, or
     *     when a property that names another kind of Redis connection is set as well
     */
    static List<HostAndPort> redlockMasters(RedisLockProperties own) {
        List<String> nodes = own.getRedlock().getNodes();
        String property = RedlockCondition.NODES;
        PropertiesRedisConnectionDetails.requireNodes(property, nodes);
        // One address per master in the list: a second address elsewhere would be silently ignored.
        String other = (own.getUrl() != null) ? "url" : (own.getHost() != null) ? "host"
                : (own.getPort() != null) ? "port" : (own.getSentinel().getMaster() != null) ? "sentinel.master"
                : (own.getCluster().getNodes() != null) ? "cluster.nodes" : null;
        if (other != null) {
            throw new InvalidConfigurationPropertyValueException(property, nodes, "must not be set together with "
                    + RedisLockProperties.PREFIX + "." + other + ": Redlock's masters are the only Redis servers");
        }
        return hostsAndPorts(PropertiesRedisConnectionDetails.nodes(nodes));
    }

    /**
     * The Jedis settings of every Redlock master: the credentials, database and TLS of the details, and the per-node
     * timeout as connect and read timeout, so that it bounds each call to one master.
     * @param details the credentials, database and TLS (from {@code distributed-lock.redis.*})
     * @param nodeTimeout {@code distributed-lock.redis.redlock.node-timeout}
     * @return the settings
     * @throws InvalidConfigurationPropertyValueException naming the property when the timeout is not positive
     */
    static JedisClientConfig redlockNodeConfig(DistributedLockRedisConnectionDetails details, Duration nodeTimeout) {
        requirePositive(RedisLockProperties.PREFIX + ".redlock.node-timeout", nodeTimeout);
        int millis = millis(nodeTimeout);
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(millis)
            .socketTimeoutMillis(millis)
            .user(details.getUsername())
            .password(details.getPassword());
        DistributedLockRedisConnectionDetails.Standalone standalone = details.getStandalone();
        if (standalone != null) {
            client.database(standalone.database());
        }
        if (details.isSslEnabled()) {
            applySsl(client, DefaultJedisClientConfig.builder(), details.getSslBundle());
        }
        return client.build();
    }

    /**
     * Creates the connections, which connect on first use.
     * @return the connections, closed by the caller
     * @throws InvalidConfigurationPropertyValueException if the pool size is invalid
     */
    RedisConnections createConnections() {
        return SettingsFromProperties.build(RedisLockProperties.PREFIX,
                SettingsFromProperties.names("poolSize", "pool.max-size"),
                () -> RedisConnections.create(this.topology, this.clientConfig, this.sentinelConfig, this.poolSize));
    }

    /**
     * Returns a description for logs and messages: the address, TLS, and where the details came from. It never
     * contains a password.
     * @return the description
     */
    String description() {
        return this.description;
    }

    RedisTopology topology() {
        return this.topology;
    }

    JedisClientConfig clientConfig() {
        return this.clientConfig;
    }

    /** Returns the properties the credentials come from, or {@code null} for details that are not properties. */
    @Nullable RedisCredentialsSource credentials() {
        return this.credentials;
    }

    boolean passwordSet() {
        return this.passwordSet;
    }

    boolean sentinelPasswordSet() {
        return this.sentinelPasswordSet;
    }

    private static RedisLockProperties springDataRedis(Environment environment) {
        return Binder.get(environment)
            .bind(SPRING_DATA_PREFIX, Bindable.ofInstance(new RedisLockProperties()))
            .orElseGet(RedisLockProperties::new);
    }

    private static void requirePositive(String property, @Nullable Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new InvalidConfigurationPropertyValueException(property, value, "must be positive");
        }
    }

    private static void applySsl(DefaultJedisClientConfig.Builder client, DefaultJedisClientConfig.Builder sentinel,
            @Nullable SslBundle bundle) {
        client.ssl(true);
        sentinel.ssl(true);
        // Check the server's name in its certificate: without it TLS does not stop a man in the middle.
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (bundle != null) {
            SslOptions options = bundle.getOptions();
            if (options.getCiphers() != null) {
                parameters.setCipherSuites(options.getCiphers());
            }
            if (options.getEnabledProtocols() != null) {
                parameters.setProtocols(options.getEnabledProtocols());
            }
            client.sslSocketFactory(bundle.createSslContext().getSocketFactory());
            sentinel.sslSocketFactory(bundle.createSslContext().getSocketFactory());
        }
        client.sslParameters(parameters);
        sentinel.sslParameters(parameters);
    }

    private static List<HostAndPort> hostsAndPorts(List<DistributedLockRedisConnectionDetails.Node> nodes) {
        return nodes.stream().map(node -> new HostAndPort(node.host(), node.port())).toList();
    }

    private static Duration firstSet(@Nullable Duration own, @Nullable Duration fallback) {
        if (own != null) {
            return own;
        }
        return (fallback != null) ? fallback : RedisConnections.DEFAULT_TIMEOUT;
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }

}
