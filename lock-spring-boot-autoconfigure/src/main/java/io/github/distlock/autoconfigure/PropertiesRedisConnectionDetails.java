package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * {@link DistributedLockRedisConnectionDetails} from connection properties: {@code distributed-lock.redis.*}, or
 * {@code spring.data.redis.*} bound into the same class. The properties are checked here, once, and a URL is parsed
 * once; an invalid value names its property under the prefix it came from. Immutable.
 */
final class PropertiesRedisConnectionDetails implements DistributedLockRedisConnectionDetails, RedisCredentialsSource {

    private final String prefix;

    private final String source;

    private final @Nullable String username;

    private final @Nullable String password;

    private final boolean ssl;

    private final @Nullable SslBundle sslBundle;

    private final @Nullable Standalone standalone;

    private final @Nullable Sentinel sentinel;

    private final @Nullable Cluster cluster;

    private final String credentialsProperty;

    private final @Nullable String credentialsValue;

    private PropertiesRedisConnectionDetails(String prefix, String source, @Nullable String username,
            @Nullable String password, boolean ssl, @Nullable SslBundle sslBundle, @Nullable Standalone standalone,
            @Nullable Sentinel sentinel, @Nullable Cluster cluster, String credentialsProperty,
            @Nullable String credentialsValue) {
        this.prefix = prefix;
        this.source = source;
        this.username = username;
        this.password = password;
        this.ssl = ssl;
        this.sslBundle = sslBundle;
        this.standalone = standalone;
        this.sentinel = sentinel;
        this.cluster = cluster;
        this.credentialsProperty = credentialsProperty;
        this.credentialsValue = credentialsValue;
    }

    /**
     * Checks the connection properties and reads them.
     * @param connection the bound properties
     * @param prefix where they were bound from, for example {@code spring.data.redis}
     * @param sslBundles the application's SSL bundles, if it has them
     * @return the details
     * @throws InvalidConfigurationPropertyValueException naming the first invalid property
     */
    static PropertiesRedisConnectionDetails of(RedisLockProperties connection, String prefix,
            @Nullable SslBundles sslBundles) {
        check(connection, prefix);
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
        RedisLockProperties.Sentinel sentinel = connection.getSentinel();
        List<String> clusterNodes = connection.getCluster().getNodes();
        if (clusterNodes != null && database != 0) {
            String reason = "must select database 0 with " + prefix + ".cluster.nodes: a Redis Cluster has no other";
            if (connection.getUrl() != null) {
                throw RedisUrl.invalid(prefix + ".url", connection.getUrl(), reason);
            }
            throw new InvalidConfigurationPropertyValueException(prefix + ".database", database, reason);
        }
        SslBundle bundle = sslBundle(connection.getSsl().getBundle(), prefix, sslBundles);
        String source = connection.hasConnectionProperties() ? prefix + ".*" : "defaults";
        Standalone standalone = null;
        Sentinel monitored = null;
        Cluster cluster = null;
        if (sentinel.getMaster() != null) {
            monitored = new Sentinel(sentinel.getMaster(), nodes(sentinel.getNodes()), database, sentinel.getUsername(),
                    sentinel.getPassword());
        }
        else if (clusterNodes != null) {
            cluster = new Cluster(nodes(clusterNodes));
        }
        else {
            standalone = new Standalone(host, port, database);
        }
        return new PropertiesRedisConnectionDetails(prefix, source, username, password, ssl, bundle, standalone,
                monitored, cluster, credentialsProperty, credentialsValue);
    }

    @Override
    public @Nullable String getUsername() {
        return this.username;
    }

    @Override
    public @Nullable String getPassword() {
        return this.password;
    }

    @Override
    public boolean isSslEnabled() {
        return this.ssl;
    }

    @Override
    public @Nullable SslBundle getSslBundle() {
        return this.sslBundle;
    }

    @Override
    public @Nullable Standalone getStandalone() {
        return this.standalone;
    }

    @Override
    public @Nullable Sentinel getSentinel() {
        return this.sentinel;
    }

    @Override
    public @Nullable Cluster getCluster() {
        return this.cluster;
    }

    @Override
    public String getSource() {
        return this.source;
    }

    @Override
    public String propertyPrefix() {
        return this.prefix;
    }

    @Override
    public String credentialsProperty() {
        return this.credentialsProperty;
    }

    @Override
    public @Nullable String credentialsValue() {
        return this.credentialsValue;
    }

    private static @Nullable SslBundle sslBundle(@Nullable String name, String prefix,
            @Nullable SslBundles sslBundles) {
        if (name == null) {
            return null;
        }
        String property = prefix + ".ssl.bundle";
        if (sslBundles == null) {
            throw new InvalidConfigurationPropertyValueException(property, name,
                    "needs Spring Boot's SSL bundles (spring.ssl.bundle.*), but the context has no SslBundles bean");
        }
        try {
            return sslBundles.getBundle(name);
        }
        catch (NoSuchSslBundleException ex) {
            throw new InvalidConfigurationPropertyValueException(property, name, ex.getMessage());
        }
    }

    static List<Node> nodes(@Nullable List<String> nodes) {
        if (nodes == null) {
            return List.of();
        }
        return nodes.stream().map(String::trim).map(node -> {
            int colon = node.lastIndexOf(':');
            return new Node(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
        }).toList();
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

    static void requireNodes(String name, @Nullable List<String> nodes) {
        if (nodes == null) {
            return;
        }
        for (String node : nodes) {
            int colon = (node != null) ? node.lastIndexOf(':') : -1;
            // A URL's scheme would be taken for part of the host name, and every call would fail to connect.
            boolean valid = colon > 0 && !node.substring(0, colon).isBlank() && !node.contains("/");
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
                String hint = (node != null && node.contains("://")) ? "; write the address without its scheme, "
                        + "as host:port (TLS and credentials come from the other distributed-lock.redis properties)"
                        : "";
                throw new InvalidConfigurationPropertyValueException(name, nodes,
                        "'" + node + "' is not host:port with a port between 1 and 65535" + hint);
            }
        }
    }

}
