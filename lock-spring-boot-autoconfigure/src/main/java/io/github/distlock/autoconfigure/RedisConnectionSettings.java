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
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.core.env.Environment;

/**
 * Where the Redis of the lock backend is and how to connect to it, taken from the first source that configures a
 * connection: {@code distributed-lock.redis.*}; otherwise {@code spring.data.redis.*}, bound from the
 * {@link Environment} so that Spring Data Redis need not be on the classpath (with nothing set there either, that
 * is {@code localhost:6379}, as for Spring Boot's own Redis connection). The connection properties of the chosen
 * source are checked here, once, and a URL is parsed once; an invalid value names its property.
 *
 * <p>It also knows which property holds the credentials, for {@link RedisConnectionCheck}. Immutable.
 */
final class RedisConnectionSettings {

    static final String SPRING_DATA_PREFIX = "spring.data.redis";

    private final String prefix;

    private final RedisTopology topology;

    private final JedisClientConfig clientConfig;

    private final JedisClientConfig sentinelConfig;

    private final int poolSize;

    private final String description;

    private final String credentialsProperty;

    // What a start-up failure shows as the value of credentialsProperty: masked, never the password itself.
    private final @Nullable String credentialsValue;

    private final boolean passwordSet;

    private final boolean sentinelPasswordSet;

    private RedisConnectionSettings(String prefix, RedisTopology topology, JedisClientConfig clientConfig,
            JedisClientConfig sentinelConfig, int poolSize, String description, String credentialsProperty,
            @Nullable String credentialsValue, boolean passwordSet, boolean sentinelPasswordSet) {
        this.prefix = prefix;
        this.topology = topology;
        this.clientConfig = clientConfig;
        this.sentinelConfig = sentinelConfig;
        this.poolSize = poolSize;
        this.description = description;
        this.credentialsProperty = credentialsProperty;
        this.credentialsValue = credentialsValue;
        this.passwordSet = passwordSet;
        this.sentinelPasswordSet = sentinelPasswordSet;
    }

    /**
     * Resolves and checks the connection.
     * @param own the bound {@code distributed-lock.redis.*} properties
     * @param environment where {@code spring.data.redis.*} is read from
     * @param sslBundles the application's SSL bundles, if it has them
     * @return the settings
     * @throws InvalidConfigurationPropertyValueException naming an invalid property of the chosen source
     */
    static RedisConnectionSettings resolve(RedisLockProperties own, Environment environment,
            @Nullable SslBundles sslBundles) {
        RedisLockProperties connection = own;
        String prefix = RedisLockProperties.PREFIX;
        if (!own.hasConnectionProperties()) {
            connection = Binder.get(environment)
                .bind(SPRING_DATA_PREFIX, Bindable.ofInstance(new RedisLockProperties()))
                .orElseGet(RedisLockProperties::new);
            prefix = SPRING_DATA_PREFIX;
        }
        check(connection, prefix);
        requirePositive(RedisLockProperties.PREFIX + ".timeout", own.getTimeout());
        requirePositive(RedisLockProperties.PREFIX + ".connect-timeout", own.getConnectTimeout());
        String host = (connection.getHost() != null) ? connection.getHost() : "localhost";
        int port = (connection.getPort() != null) ? connection.getPort() : 6379;
        String username = connection.getUsername();
        String password = connection.getPassword();
        int database = (connection.getDatabase() != null) ? connection.getDatabase() : 0;
        boolean ssl = connection.getSsl().isEnabled();
        String credentialsProperty = prefix + ".password";
        String credentialsValue = (password != null) ? "******" : null;
        if (connection.getUrl() != null) {
            // Like spring.data.redis.url: the URL overrides host, port, username, password and database.
            RedisUrl url = RedisUrl.parse(prefix + ".url", connection.getUrl());
            host = url.host();
            port = url.port();
            username = url.username();
            password = url.password();
            database = url.database();
            ssl = ssl || url.ssl();
            credentialsProperty = prefix + ".url";
            credentialsValue = RedisUrl.mask(connection.getUrl());
        }
        if (connection.getCluster().getNodes() != null && database != 0) {
            String reason = "must select database 0 with " + prefix + ".cluster.nodes: a Redis Cluster has no other";
            if (connection.getUrl() != null) {
                throw RedisUrl.invalid(prefix + ".url", connection.getUrl(), reason);
            }
            throw new InvalidConfigurationPropertyValueException(prefix + ".database", database, reason);
        }
        // Timeouts are client tuning rather than an address: ours apply to whichever connection is used. The read
        // timeout is the time limit of a whole lock call; connecting must fit into it.
        int readTimeout = millis(firstSet(own.getTimeout(), connection.getTimeout()));
        int connectTimeout = Math.min(readTimeout,
                millis(firstSet(own.getConnectTimeout(), connection.getConnectTimeout())));

        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(connectTimeout)
            .socketTimeoutMillis(readTimeout)
            .user(username)
            .password(password)
            .database(database);
        DefaultJedisClientConfig.Builder sentinel = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(connectTimeout)
            .socketTimeoutMillis(readTimeout)
            .user(connection.getSentinel().getUsername())
            .password(connection.getSentinel().getPassword());
        if (ssl) {
            applySsl(client, sentinel, connection.getSsl().getBundle(), prefix, sslBundles);
        }

        RedisTopology topology;
        String where;
        if (connection.getSentinel().getMaster() != null) {
            List<String> nodes = nonNull(connection.getSentinel().getNodes());
            topology = RedisTopology.sentinel(connection.getSentinel().getMaster(), hostsAndPorts(nodes));
            where = "master '" + connection.getSentinel().getMaster() + "' of sentinels " + nodes;
        }
        else if (connection.getCluster().getNodes() != null) {
            List<String> nodes = connection.getCluster().getNodes();
            topology = RedisTopology.cluster(hostsAndPorts(nodes));
            where = "cluster " + nodes;
        }
        else {
            topology = RedisTopology.standalone(host, port);
            where = host + ":" + port;
        }
        String source = connection.hasConnectionProperties() ? prefix + ".*" : "defaults";
        String description = "Redis " + where + ((ssl) ? " over TLS" : "") + " (from " + source + ")";
        return new RedisConnectionSettings(prefix, topology, client.build(), sentinel.build(),
                own.getPool().getMaxSize(), description, credentialsProperty, credentialsValue, password != null,
                connection.getSentinel().getPassword() != null);
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
     * Returns a description for logs and messages: the address, TLS, and which properties it came from. It never
     * contains a password.
     * @return the description
     */
    String description() {
        return this.description;
    }

    String prefix() {
        return this.prefix;
    }

    RedisTopology topology() {
        return this.topology;
    }

    JedisClientConfig clientConfig() {
        return this.clientConfig;
    }

    /** Returns the property the server's credentials come from ({@code .password} or {@code .url}). */
    String credentialsProperty() {
        return this.credentialsProperty;
    }

    /** Returns the masked value of {@link #credentialsProperty()}, or {@code null} when it is not set. */
    @Nullable String credentialsValue() {
        return this.credentialsValue;
    }

    boolean passwordSet() {
        return this.passwordSet;
    }

    boolean sentinelPasswordSet() {
        return this.sentinelPasswordSet;
    }

    private static void check(RedisLockProperties connection, String prefix) {
        Integer port = connection.getPort();
        if (port != null && (port < 1 || port > 65535)) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".port", port, "must be between 1 and 65535");
        }
        if (connection.getHost() != null && connection.getHost().isBlank()) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".host", connection.getHost(),
                    "must not be blank");
        }
        if (connection.getDatabase() != null && connection.getDatabase() < 0) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".database", connection.getDatabase(),
                    "must not be negative");
        }
        requirePositive(prefix + ".connect-timeout", connection.getConnectTimeout());
        requirePositive(prefix + ".timeout", connection.getTimeout());
        RedisLockProperties.Sentinel sentinel = connection.getSentinel();
        if (sentinel.getMaster() != null && sentinel.getMaster().isBlank()) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".sentinel.master", sentinel.getMaster(),
                    "must not be blank");
        }
        if (sentinel.getMaster() != null && isEmpty(sentinel.getNodes())) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".sentinel.nodes", sentinel.getNodes(),
                    "must list at least one sentinel (host:port) when " + prefix + ".sentinel.master is set");
        }
        if (sentinel.getMaster() == null && !isEmpty(sentinel.getNodes())) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".sentinel.master", null,
                    "must be set when " + prefix + ".sentinel.nodes is set");
        }
        requireNodes(prefix + ".sentinel.nodes", sentinel.getNodes());
        List<String> clusterNodes = connection.getCluster().getNodes();
        requireNodes(prefix + ".cluster.nodes", clusterNodes);
        if (clusterNodes != null && sentinel.getMaster() != null) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".cluster.nodes", clusterNodes,
                    "must not be set together with " + prefix + ".sentinel.master");
        }
        if (clusterNodes != null && clusterNodes.isEmpty()) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".cluster.nodes", clusterNodes,
                    "must list at least one node (host:port)");
        }
    }

    private static void requirePositive(String property, @Nullable Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new InvalidConfigurationPropertyValueException(property, value, "must be positive");
        }
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

    private static void applySsl(DefaultJedisClientConfig.Builder client, DefaultJedisClientConfig.Builder sentinel,
            @Nullable String bundleName, String prefix, @Nullable SslBundles sslBundles) {
        client.ssl(true);
        sentinel.ssl(true);
        // Check the server's name in its certificate: without it TLS does not stop a man in the middle.
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (bundleName != null) {
            String property = prefix + ".ssl.bundle";
            if (sslBundles == null) {
                throw new InvalidConfigurationPropertyValueException(property, bundleName,
                        "needs Spring Boot's SSL bundles (spring.ssl.bundle.*), but the context has no SslBundles bean");
            }
            SslBundle bundle;
            try {
                bundle = sslBundles.getBundle(bundleName);
            }
            catch (NoSuchSslBundleException ex) {
                throw new InvalidConfigurationPropertyValueException(property, bundleName, ex.getMessage());
            }
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

    private static List<HostAndPort> hostsAndPorts(List<String> nodes) {
        return nodes.stream().map(String::trim).map(HostAndPort::from).toList();
    }

    private static List<String> nonNull(@Nullable List<String> nodes) {
        return (nodes != null) ? nodes : List.of();
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
