package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLParameters;

import io.github.distlock.autoconfigure.DistributedLockProperties.Redis;
import io.github.distlock.autoconfigure.DistributedLockProperties.Redis.RedisUrl;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisTopology;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisAccessControlException;

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
 * is {@code localhost:6379}, as for Spring Boot's own Redis connection).
 *
 * <p>It also knows which property to name when Redis rejects the credentials. Immutable.
 */
final class RedisConnectionSettings {

    private static final Logger logger = LoggerFactory.getLogger(RedisConnectionSettings.class);

    static final String OWN_PREFIX = DistributedLockProperties.PREFIX + ".redis";

    static final String SPRING_DATA_PREFIX = "spring.data.redis";

    /** Connect and read timeout when no property sets one; Jedis's own default. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

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
     * Resolves the connection.
     * @param own the bound {@code distributed-lock.redis.*} properties, already validated
     * @param environment where {@code spring.data.redis.*} is read from
     * @param sslBundles the application's SSL bundles, if it has them
     * @return the settings
     * @throws InvalidConfigurationPropertyValueException naming an invalid property of the chosen source
     */
    static RedisConnectionSettings resolve(Redis own, Environment environment, @Nullable SslBundles sslBundles) {
        Redis connection = own;
        String prefix = OWN_PREFIX;
        if (!own.hasConnectionProperties()) {
            connection = Binder.get(environment)
                .bind(SPRING_DATA_PREFIX, Bindable.ofInstance(new Redis()))
                .orElseGet(Redis::new);
            prefix = SPRING_DATA_PREFIX;
            connection.validateConnection(prefix);
        }
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
            RedisUrl url = connection.parseUrl(prefix);
            host = url.host();
            port = url.port();
            username = url.username();
            password = url.password();
            database = url.database();
            ssl = ssl || url.ssl();
            credentialsProperty = prefix + ".url";
            credentialsValue = RedisUrl.mask(connection.getUrl());
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
     */
    RedisConnections createConnections() {
        return RedisConnections.create(this.topology, this.clientConfig, this.sentinelConfig, this.poolSize);
    }


    /**
     * Sends one PING through the client, so that a misconfiguration shows at start-up rather than at the first
     * locked call. Redis being unreachable is logged and start-up continues (the client connects once Redis
     * answers); rejected credentials fail start-up, since they will not fix themselves. The PING takes at most the
     * time limit of a lock call ({@code timeout}).
     * @param connections the connections built from these settings
     * @throws InvalidConfigurationPropertyValueException if Redis rejected the credentials, naming their property
     */
    void checkAtStartUp(RedisConnections connections) {
        boolean discovering = true;
        try {
            connections.connect();
            discovering = false;
            connections.ping();
            logger.debug("Distributed locks use {}", this.description);
        }
        catch (RuntimeException ex) {
            if (isAuthenticationFailure(ex)) {
                throw credentialsRejected(ex, discovering);
            }
            logger.warn("Distributed locks use {}, which did not answer at start-up; until it does, locked "
                    + "methods fail with LockUnavailableException: {}", this.description, describe(ex));
        }
    }

    /**
     * Returns a description for logs and messages: the address, TLS, and which properties it came from. It never
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

    /**
     * Returns the exception to fail start-up with when Redis rejected the credentials.
     * @param failure what Redis or Jedis reported
     * @param whileDiscovering whether it happened while the client was built, which for Sentinel means while
     *     talking to the sentinels
     * @return the exception, naming the property the credentials came from
     */
    private SecretPropertyValueException credentialsRejected(Throwable failure, boolean whileDiscovering) {
        boolean sentinels = whileDiscovering && this.topology instanceof RedisTopology.Sentinel;
        String property = sentinels ? this.prefix + ".sentinel.password" : this.credentialsProperty;
        String value = sentinels ? (this.sentinelPasswordSet ? "******" : null) : this.credentialsValue;
        boolean set = sentinels ? this.sentinelPasswordSet : this.passwordSet;
        String reason = (set ? "was rejected by " : "is required by ")
                + (sentinels ? "the sentinels of " : "") + this.description + ": " + redisReply(failure);
        String where = sentinels ? this.prefix + ".sentinel.username and " + this.prefix + ".sentinel.password"
                : property.endsWith(".url") ? "the user-info of " + property + " (redis://user:password@host:port)"
                : this.prefix + ".username and " + this.prefix + ".password";
        String action = "Give the credentials of a user that "
                + (sentinels ? "the sentinels accept" : "this Redis accepts") + " in " + where + ". With Redis ACLs, the lock backend's user needs the commands EVALSHA, EVAL, WAIT, "
                + "PING, PUBLISH and SUBSCRIBE, on the keys and the release channel that start with "
                + DistributedLockProperties.PREFIX + ".redis.key-prefix (default distlock:).";
        return new SecretPropertyValueException(property, value, reason, action);
    }

    // Redis's own reply (WRONGPASS ..., NOAUTH ...), which names no credentials, rather than a wrapper's message.
    private static String redisReply(Throwable failure) {
        Throwable reply = failure;
        while (reply.getCause() != null && reply.getCause() != reply) {
            reply = reply.getCause();
        }
        return String.valueOf(reply.getMessage());
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

    private static boolean isAuthenticationFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (cause instanceof JedisAccessControlException || message.contains("WRONGPASS")
                    || message.contains("NOAUTH")) {
                return true;
            }
        }
        return false;
    }

    // Jedis keeps the reason (connection refused, timeout) a few levels deep, as a cause or as a suppressed
    // exception of its retry loop; the warning shows the deepest one instead of a stack trace.
    private static String describe(Throwable failure) {
        Throwable reason = failure;
        for (int depth = 0; depth < 10; depth++) {
            Throwable next = (reason.getCause() != null) ? reason.getCause()
                    : (reason.getSuppressed().length > 0) ? reason.getSuppressed()[0] : null;
            if (next == null || next == reason) {
                break;
            }
            reason = next;
        }
        return (reason == failure) ? String.valueOf(failure) : failure + " (" + reason + ")";
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
        return (fallback != null) ? fallback : DEFAULT_TIMEOUT;
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }

}
