package io.github.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
        List<RedisServer> servers = new ArrayList<>();
        List<TcpProxy> proxies = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                RedisServer server = RedisServer.start();
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
