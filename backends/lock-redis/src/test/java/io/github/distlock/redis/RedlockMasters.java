package io.github.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.TcpProxy;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * Independent Redis masters for the Redlock tests, each a real {@code redis-server} without persistence on a free
 * loopback port, optionally reached through a {@link TcpProxy} so that a test can slow one of them down; and the
 * Redlock backends over them, closed with the masters. Not thread-safe: one test class drives it.
 */
final class RedlockMasters implements AutoCloseable {

    private final List<RedisServer> servers;

    private final List<TcpProxy> proxies;

    private final List<AutoCloseable> created = new CopyOnWriteArrayList<>();

    private final Set<Integer> killed = new TreeSet<>();

    private RedlockMasters(List<RedisServer> servers, List<TcpProxy> proxies) {
        this.servers = servers;
        this.proxies = proxies;
    }

    /**
     * Starts masters, each behind a proxy of its own.
     * @param count how many
     * @return the running masters
     */
    static RedlockMasters start(int count) {
        return startWithMovableClockOn(count, -1);
    }

    /**
     * Starts masters, each behind a proxy of its own, one of them with a clock the test can move
     * ({@link RedisServer#startWithMovableClock}).
     * @param count how many
     * @param movable the index of the master with the movable clock, or -1 for none
     * @return the running masters
     */
    static RedlockMasters startWithMovableClockOn(int count, int movable) {
        List<RedisServer> servers = new ArrayList<>();
        List<TcpProxy> proxies = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                RedisServer server = (i == movable) ? RedisServer.startWithMovableClock() : RedisServer.start();
                servers.add(server);
                proxies.add(TcpProxy.start(server.port()));
            }
        }
        catch (RuntimeException ex) {
            proxies.forEach(TcpProxy::close);
            servers.forEach(RedisServer::close);
            throw ex;
        }
        return new RedlockMasters(servers, proxies);
    }

    RedisServer server(int index) {
        return this.servers.get(index);
    }

    TcpProxy proxy(int index) {
        return this.proxies.get(index);
    }

    int size() {
        return this.servers.size();
    }

    /** Kills a master with SIGKILL, as a crash; its data is gone when it restarts (no persistence). */
    void kill(int index) {
        this.servers.get(index).kill();
        this.killed.add(index);
    }

    /** Starts a killed master again, on the same port, empty. */
    void restart(int index) {
        this.servers.get(index).restart();
        this.killed.remove(index);
    }

    /** Restarts every killed master, undoes delays, and empties every master, so the next test starts clean. */
    void restore() {
        for (Integer index : List.copyOf(this.killed)) {
            restart(index);
        }
        this.proxies.forEach(proxy -> proxy.delayForwarding(Duration.ZERO));
        for (RedisServer server : this.servers) {
            try (Jedis jedis = server.connect()) {
                jedis.flushAll();
                jedis.configResetStat();
            }
        }
    }

    /** Resets the command statistics of every running master. */
    void resetCommandStats() {
        for (int i = 0; i < this.servers.size(); i++) {
            if (!this.killed.contains(i)) {
                try (Jedis jedis = this.servers.get(i).connect()) {
                    jedis.configResetStat();
                }
            }
        }
    }

    /** How many scripts (EVALSHA and EVAL) the running masters ran since their statistics were reset. */
    long scriptCalls() {
        long calls = 0;
        for (int i = 0; i < this.servers.size(); i++) {
            if (!this.killed.contains(i)) {
                String stats = this.servers.get(i).info("commandstats");
                calls += calls(stats, "evalsha") + calls(stats, "eval");
            }
        }
        return calls;
    }

    private static long calls(String stats, String command) {
        Matcher calls = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    /** A backend whose per-node time limit is the tests' usual client timeout. */
    RedlockLeaseBackend backend() {
        return backend(RedisTestClients.TIMEOUT);
    }

    /** A backend with the given per-node time limit (connect and read). */
    RedlockLeaseBackend backend(Duration nodeTimeout) {
        int millis = Math.toIntExact(nodeTimeout.toMillis());
        JedisClientConfig config = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(millis)
            .socketTimeoutMillis(millis)
            .build();
        List<RedisConnections> nodes = new ArrayList<>();
        for (TcpProxy proxy : this.proxies) {
            RedisConnections node = RedisConnections.create(RedisTopology.standalone("127.0.0.1", proxy.port()), config,
                    config, 8);
            this.created.add(node);
            nodes.add(node);
        }
        RedlockLeaseBackend backend = new RedlockLeaseBackend(nodes, RedisLockOptions.defaults());
        // Closed before its connections: created later, closed earlier.
        this.created.add(0, backend);
        return backend;
    }

    /** How many masters hold the key for the owner, read directly from each running master. */
    int mastersHolding(RedlockLeaseBackend backend, String key, String ownerToken) {
        String stored = backend.options().keyPrefix() + "{" + key + "}";
        int holding = 0;
        for (RedisServer server : this.servers) {
            try (Jedis jedis = server.connect()) {
                String value = jedis.get(stored);
                if (value != null && value.endsWith(":" + ownerToken)) {
                    holding++;
                }
            }
            catch (RuntimeException ex) {
                // A stopped master holds nothing.
            }
        }
        return holding;
    }

    /** Closes the backends made here and their connections, keeping the masters running. */
    void closeBackends() {
        for (AutoCloseable closeable : this.created) {
            try {
                closeable.close();
            }
            catch (Exception ex) {
                // Closing test clients is best effort.
            }
        }
        this.created.clear();
    }

    @Override
    public void close() {
        closeBackends();
        this.proxies.forEach(TcpProxy::close);
        this.servers.forEach(RedisServer::close);
    }

}
