package io.github.distlock.redis;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.distlock.core.InvalidSettingException;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.ConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The connections of a Redis lock backend, and the one time limit that every call through them keeps.
 *
 * <ul>
 * <li><b>Commands</b> run on a pooled connection to the server that holds the key (the server, the current
 * Sentinel master, or the Cluster node that serves the key's slot), so that a script and a {@code WAIT} after it
 * run on the same connection.</li>
 * <li><b>One time limit per call.</b> Borrowing a connection, connecting, one retry on another connection after a
 * broken one, and the reply together take at most {@link #timeout()}; when it has passed the call fails with
 * {@link RedisUnavailableException}, naming the server. An error reply (rejected credentials, missing permissions)
 * fails the call at once with the same exception. (A last attempt that must open a new connection may overrun
 * the limit by up to the connect timeout.) A pool that has no free connection makes the call wait at most the same
 * limit.</li>
 * <li><b>The release subscription</b> runs on a connection of its own that is never handed back to a pool: it is
 * closed when the subscription ends, so an unread reply can never reach another command.</li>
 * </ul>
 *
 * <p>{@link #create} builds the pools lazily on first use (Sentinel and Cluster clients contact the servers when
 * they are built), so an application can start while Redis is down; {@link #sharing} uses an application's own
 * Jedis client and leaves it open. Thread-safe.
 *
 * @since 0.1.0
 */
public final class RedisConnections implements AutoCloseable {

    /** The time limit of a call through a shared client, whose own settings are unknown to the backend. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /** The most pooled connections per server when nothing else is configured. */
    public static final int DEFAULT_POOL_SIZE = 16;

    private static final int MAX_ATTEMPTS = 3;

    private static final long SHORTEN_SLACK_MILLIS = 20;

    private static final Logger logger = LoggerFactory.getLogger(RedisConnections.class);

    private final Supplier<Endpoint> factory;

    private final Duration timeout;

    private final boolean owned;

    // Written under synchronized(this); volatile for the lock-free read on the hot path.
    private volatile @Nullable Endpoint endpoint;

    private boolean closed;

    private RedisConnections(Supplier<Endpoint> factory, Duration timeout, boolean owned) {
        this.factory = factory;
        this.timeout = timeout;
        this.owned = owned;
    }

    /**
     * Connections of the backend's own, to a topology; created on first use and closed by {@link #close()}.
     * @param topology where Redis is
     * @param client settings of connections to Redis servers (credentials, database, TLS, timeouts); its socket
     *     timeout is the time limit of every call
     * @param sentinel settings of connections to sentinels (used with {@link RedisTopology.Sentinel} only)
     * @param poolSize the most pooled connections per server
     * @return the connections
     */
    public static RedisConnections create(RedisTopology topology, JedisClientConfig client, JedisClientConfig sentinel,
            int poolSize) {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(sentinel, "sentinel");
        if (poolSize < 1) {
            throw new InvalidSettingException("poolSize", poolSize, "must be at least 1");
        }
        Duration timeout = Duration.ofMillis(Math.max(1, client.getSocketTimeoutMillis()));
        HostAndPort address = (topology instanceof RedisTopology.Standalone standalone) ? standalone.address() : null;
        return new RedisConnections(() -> Endpoint.of(provider(topology, client, sentinel, poolSize, timeout), client,
                address), timeout, true);
    }

    /**
     * Connections borrowed from an application's own Jedis client, which stays open when these are closed. Its pool
     * settings apply: set its pool's maximum wait, or a call can wait for a free connection longer than the limit.
     * The release subscription holds one of its pooled connections while anyone waits for a lock, and that
     * connection is closed, never returned, when the subscription ends.
     * @param client the application's client, built on a connection provider (pooled, Sentinel or Cluster)
     * @param timeout the time limit of every call
     * @return the connections
     * @throws IllegalArgumentException if the client exposes no connection provider
     */
    public static RedisConnections sharing(UnifiedJedis client, Duration timeout) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidSettingException("timeout", timeout, "must be positive");
        }
        Endpoint shared = Endpoint.of(providerOf(client), null, null);
        return new RedisConnections(() -> shared, timeout, false);
    }

    /**
     * Connections borrowed from an application's own Jedis client, with the {@link #DEFAULT_TIMEOUT}.
     * @param client the application's client
     * @return the connections
     * @see #sharing(UnifiedJedis, Duration)
     */
    public static RedisConnections sharing(UnifiedJedis client) {
        return sharing(client, DEFAULT_TIMEOUT);
    }

    /**
     * Returns the time limit of every call.
     * @return the limit
     */
    public Duration timeout() {
        return this.timeout;
    }

    /**
     * Builds the pools now if they are not built yet: a Sentinel client asks the sentinels for the master, a Cluster
     * client asks a node for the slot map. Lock calls do this themselves on first use.
     * @throws JedisException if the servers could not be reached or refused the credentials
     */
    public void connect() {
        endpoint();
    }

    /**
     * Sends one {@code PING} within the time limit, so that a misconfiguration shows before the first lock call.
     * @throws RedisUnavailableException if Redis did not answer in time, or refused (for example the credentials;
     *     the cause is then Jedis's exception, such as {@code JedisAccessControlException})
     */
    public void ping() {
        call("", "ping", connection -> connection.executeCommand(new CommandArguments(Protocol.Command.PING)));
    }

    /**
     * Sends one {@code PING} to every server the locks use (the one server, the Sentinel master, or each node of a
     * Cluster), each within the time limit, for a health check: a Cluster with one node down cannot lock the keys
     * of that node's slots, whatever the others answer.
     * @return each server's address with {@code PONG}, or why it did not answer (never credentials)
     * @throws RedisUnavailableException if the servers could not be found at all (a Sentinel or Cluster client
     *     that reaches none of its seeds)
     */
    public Map<String, String> pingEachServer() {
        Endpoint current;
        try {
            current = endpoint();
        }
        catch (JedisException ex) {
            throw RedisUnavailableException.notAnswered("ping", "", "Redis", this.timeout, Duration.ZERO, ex);
        }
        Map<String, String> answers = new LinkedHashMap<>();
        current.servers().forEach((server, connection) -> {
            long deadline = System.nanoTime() + this.timeout.toNanos();
            try (Connection borrowed = connection.get()) {
                Object reply = withinDeadline(borrowed, deadline,
                        c -> c.executeCommand(new CommandArguments(Protocol.Command.PING)));
                answers.put(server, (reply instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
                        : String.valueOf(reply));
            }
            catch (JedisException ex) {
                answers.put(server, "no answer: " + ex.getMessage());
            }
        });
        return answers;
    }

    /**
     * Describes where a key's commands go, for messages: an address, never credentials.
     * @param storedKey the Redis key, or empty for "the server"
     * @return for example {@code 127.0.0.1:6379}
     */
    public String describe(String storedKey) {
        Endpoint current = this.endpoint;
        return (current != null) ? current.describe(storedKey) : "Redis (not connected yet)";
    }

    /**
     * Closes the pools if these connections are the backend's own; a shared client stays open.
     */
    @Override
    public synchronized void close() {
        this.closed = true;
        Endpoint current = this.endpoint;
        this.endpoint = null;
        if (current != null && this.owned) {
            try {
                current.provider.close();
            }
            catch (Exception ex) {
                logger.debug("Closing the Redis connection pools failed", ex);
            }
        }
    }

    /**
     * Runs work on a pooled connection to the server of the key, within the time limit. A broken connection is
     * replaced and the work tried again (every lock script is safe to repeat); a Cluster redirection refreshes the
     * slot map first.
     * @throws RedisUnavailableException if no attempt succeeded within the time limit
     */
    /**
     * Returns whether one script can work on all these keys: always on one server (standalone or Sentinel), when
     * they hash to one slot on a Cluster.
     * @param storedKeys the stored keys, at least one
     * @return {@code true} if a script may take them all
     */
    boolean inOneSlot(List<String> storedKeys) {
        return endpoint().inOneSlot(storedKeys);
    }

    <T> T call(String storedKey, String operation, Function<Connection, T> work) {
        long start = System.nanoTime();
        long deadline = start + this.timeout.toNanos();
        JedisException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Connection connection;
            try {
                connection = endpoint().borrow(storedKey);
            }
            catch (JedisDataException ex) {
                // Redis answered while the connection was set up, and said no: rejected credentials, for example.
                throw RedisUnavailableException.refused(operation, storedKey, describe(storedKey), ex);
            }
            catch (JedisException ex) {
                // Refused or timed-out connections, and a pool without a free connection within the time limit.
                last = ex;
                if (!(ex instanceof JedisConnectionException) || System.nanoTime() - deadline >= 0) {
                    break;
                }
                continue;
            }
            try {
                return withinDeadline(connection, deadline, work);
            }
            catch (JedisConnectionException ex) {
                last = ex;
            }
            catch (JedisMovedDataException ex) {
                // The slot moved to another node (resharding, failover): ask the cluster again, then retry there.
                last = ex;
                endpoint().refreshRouting();
            }
            catch (JedisDataException ex) {
                throw RedisUnavailableException.refused(operation, storedKey, describe(storedKey), ex);
            }
            finally {
                connection.close();
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        throw RedisUnavailableException.notAnswered(operation, storedKey, describe(storedKey), this.timeout,
                Duration.ofNanos(System.nanoTime() - start), last);
    }

    /**
     * Opens the connection the release subscription runs on: not from a pool (or, for a shared client, one that
     * {@link #discard} will destroy instead of returning).
     */
    Connection openSubscriptionConnection() {
        return endpoint().openDedicated();
    }

    /** Ends a subscription connection: it is closed, and never handed to another caller. */
    static void discard(Connection connection) {
        connection.setBroken();
        connection.close();
    }

    private static <T> T withinDeadline(Connection connection, long deadline, Function<Connection, T> work) {
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remainingMillis < 1) {
            throw new JedisConnectionException("no time left for the command");
        }
        int configured = connection.getSoTimeout();
        // A first attempt has nearly the whole limit left: leave the socket as it is rather than pay two system
        // calls per command to save a few milliseconds.
        boolean shortened = configured == 0 || remainingMillis + SHORTEN_SLACK_MILLIS < configured;
        if (shortened) {
            connection.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
        }
        try {
            return work.apply(connection);
        }
        finally {
            if (shortened && !connection.isBroken()) {
                connection.setSoTimeout(configured);
            }
        }
    }

    private Endpoint endpoint() {
        Endpoint current = this.endpoint;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (this.closed) {
                throw new IllegalStateException("The Redis connections of the lock backend were closed");
            }
            if (this.endpoint == null) {
                // Sentinel and Cluster clients contact the servers here; a failure fails this call and the next call
                // tries again.
                this.endpoint = this.factory.get();
            }
            return this.endpoint;
        }
    }

    private static ConnectionProvider provider(RedisTopology topology, JedisClientConfig client,
            JedisClientConfig sentinel, int poolSize, Duration maxWait) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMaxWait(maxWait);
        pool.setJmxEnabled(false);
        if (topology instanceof RedisTopology.Standalone standalone) {
            return new PooledConnectionProvider(standalone.address(), client, pool);
        }
        if (topology instanceof RedisTopology.Sentinel monitored) {
            return new SentineledConnectionProvider(monitored.masterName(), client, pool,
                    new LinkedHashSet<>(monitored.sentinels()), sentinel);
        }
        RedisTopology.Cluster cluster = (RedisTopology.Cluster) topology;
        return new ClusterConnectionProvider(new LinkedHashSet<>(cluster.nodes()), client, pool);
    }

    // Jedis keeps a UnifiedJedis's connection provider in a protected field without an accessor (Jedis 4 to 8); the
    // backend needs it to run a script and its WAIT on one connection and to give the subscription its own.
    private static ConnectionProvider providerOf(UnifiedJedis client) {
        try {
            Field field = UnifiedJedis.class.getDeclaredField("provider");
            field.setAccessible(true);
            if (field.get(client) instanceof ConnectionProvider provider) {
                return provider;
            }
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            throw new IllegalArgumentException("Cannot read the connection provider of " + client.getClass().getName()
                    + "; build the lock backend's connections with RedisConnections.create(...) instead", ex);
        }
        throw new IllegalArgumentException(client.getClass().getName() + " has no connection provider (it was built "
                + "on a single connection); build the lock backend's connections with RedisConnections.create(...)");
    }

    /** Where commands go, by kind of connection provider. */
    private abstract static class Endpoint {

        final ConnectionProvider provider;

        // Settings for the subscription's own connection; null for a shared client, whose settings are unknown.
        final @Nullable JedisClientConfig config;

        Endpoint(ConnectionProvider provider, @Nullable JedisClientConfig config) {
            this.provider = provider;
            this.config = config;
        }

        static Endpoint of(ConnectionProvider provider, @Nullable JedisClientConfig config,
                @Nullable HostAndPort knownAddress) {
            if (provider instanceof ClusterConnectionProvider cluster) {
                return new ClusterEndpoint(cluster, config);
            }
            if (provider instanceof SentineledConnectionProvider sentinel) {
                return new SingleServerEndpoint(sentinel, config, sentinel::getCurrentMaster, "master ");
            }
            HostAndPort address = (knownAddress != null) ? knownAddress : addressOfPool(provider);
            return new SingleServerEndpoint(provider, config, () -> address, "");
        }

        // A pool built for a HostAndPort is keyed by it; a pool built from a factory keeps its address to itself.
        private static @Nullable HostAndPort addressOfPool(ConnectionProvider provider) {
            for (Object key : provider.getConnectionMap().keySet()) {
                if (key instanceof HostAndPort address) {
                    return address;
                }
            }
            return null;
        }

        abstract Connection borrow(String storedKey);

        /** Whether one script may touch all these keys: one server holds them all, in one slot on a Cluster. */
        abstract boolean inOneSlot(List<String> storedKeys);

        abstract @Nullable HostAndPort serverFor(String storedKey);

        abstract String describe(String storedKey);

        /** Every server the locks use, each with a way to borrow a connection to it. */
        abstract Map<String, Supplier<Connection>> servers();

        void refreshRouting() {
        }

        Connection openDedicated() {
            HostAndPort address = serverFor("");
            if (this.config == null || address == null) {
                // A shared client's settings are unknown: take one of its pooled connections, destroyed when done.
                return borrow("");
            }
            return new Connection(address, this.config);
        }

    }

    private static final class SingleServerEndpoint extends Endpoint {

        private final Supplier<@Nullable HostAndPort> address;

        private final String role;

        SingleServerEndpoint(ConnectionProvider provider, @Nullable JedisClientConfig config,
                Supplier<@Nullable HostAndPort> address, String role) {
            super(provider, config);
            this.address = address;
            this.role = role;
        }

        @Override
        Connection borrow(String storedKey) {
            return this.provider.getConnection();
        }

        @Override
        boolean inOneSlot(List<String> storedKeys) {
            return true;
        }

        @Override
        @Nullable HostAndPort serverFor(String storedKey) {
            return this.address.get();
        }

        @Override
        String describe(String storedKey) {
            HostAndPort server = this.address.get();
            return (server != null) ? "Redis " + this.role + server : "the application's Redis client";
        }

        @Override
        Map<String, Supplier<Connection>> servers() {
            HostAndPort server = this.address.get();
            return Map.of((server != null) ? server.toString() : "the application's Redis client",
                    this.provider::getConnection);
        }

    }

    private static final class ClusterEndpoint extends Endpoint {

        private final ClusterConnectionProvider cluster;

        ClusterEndpoint(ClusterConnectionProvider cluster, @Nullable JedisClientConfig config) {
            super(cluster, config);
            this.cluster = cluster;
        }

        @Override
        Connection borrow(String storedKey) {
            return storedKey.isEmpty() ? this.cluster.getConnection()
                    : this.cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot(storedKey));
        }

        @Override
        boolean inOneSlot(List<String> storedKeys) {
            int slot = JedisClusterCRC16.getSlot(storedKeys.get(0));
            for (String storedKey : storedKeys) {
                if (JedisClusterCRC16.getSlot(storedKey) != slot) {
                    return false;
                }
            }
            return true;
        }

        @Override
        @Nullable HostAndPort serverFor(String storedKey) {
            if (!storedKey.isEmpty()) {
                return this.cluster.getNode(JedisClusterCRC16.getSlot(storedKey));
            }
            // Published messages reach every node of a cluster, so the subscription may use any of them.
            Iterator<String> nodes = this.cluster.getNodes().keySet().iterator();
            return nodes.hasNext() ? HostAndPort.from(nodes.next()) : null;
        }

        @Override
        String describe(String storedKey) {
            HostAndPort node = serverFor(storedKey);
            return "Redis Cluster node " + ((node != null) ? node : "(slot not mapped)");
        }

        @Override
        Map<String, Supplier<Connection>> servers() {
            Map<String, Supplier<Connection>> servers = new TreeMap<>();
            this.cluster.getNodes().forEach((node, pool) -> servers.put(node, pool::getResource));
            return servers;
        }

        @Override
        void refreshRouting() {
            this.cluster.renewSlotCache();
        }

    }

}
