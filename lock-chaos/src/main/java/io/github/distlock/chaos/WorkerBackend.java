package io.github.distlock.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.jdbc.JdbcLeaseBackend;
import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.redis.RedisLockOptions;
import io.github.distlock.redis.RedisTopology;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPooled;

/**
 * The backend a worker JVM locks with, described by one line so that the test can pass it on a command line:
 * <ul>
 * <li>{@code memory}: one in-memory backend shared by the worker's engines (all in one JVM)</li>
 * <li>{@code redis <host:port>}, {@code sentinel <master> <host:port,...>}, {@code cluster <host:port,...>}: the
 * Redis backend with connections of its own per engine</li>
 * <li>{@code sentinel-ack <master> <host:port,...>}: the same over Sentinel, every grant acknowledged by one
 * replica ({@code WAIT}, within {@link #CALL_TIMEOUT}) before it is given</li>
 * <li>{@code jdbc <url> <user> <password>}: the JDBC backend over a small pool of its own per engine</li>
 * <li>{@code broken <flaw> <host:port>}: a {@link BrokenRedisBackend}, for the checker's self-test</li>
 * </ul>
 * Every call is bounded by a 1 s limit (Redis socket timeout, JDBC query and connection timeouts).
 *
 * <p>Not thread-safe: the worker builds its backends on its main thread.
 */
final class WorkerBackend implements AutoCloseable {

    /** The time limit of every backend call in the workers. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);

    private final List<String> spec;

    private final List<AutoCloseable> resources = new ArrayList<>();

    private @Nullable LeaseBackend shared;

    WorkerBackend(List<String> spec) {
        this.spec = List.copyOf(spec);
    }

    /**
     * Whether every engine gets the same backend (the in-memory one), rather than one with connections of its own.
     * @return whether the backend is shared
     */
    boolean isShared() {
        return "memory".equals(this.spec.get(0));
    }

    /**
     * Creates the backend of one engine.
     * @return a backend with connections of its own (the in-memory one is shared)
     */
    LeaseBackend create() {
        String kind = this.spec.get(0);
        return switch (kind) {
            case "memory" -> {
                if (this.shared == null) {
                    this.shared = new InMemoryLeaseBackend();
                }
                yield this.shared;
            }
            case "redis" -> redis(RedisTopology.standalone(host(this.spec.get(1)), port(this.spec.get(1))));
            case "sentinel" -> redis(RedisTopology.sentinel(this.spec.get(1), addresses(this.spec.get(2))));
            case "sentinel-ack" -> redis(RedisTopology.sentinel(this.spec.get(1), addresses(this.spec.get(2))),
                    RedisLockOptions.defaults().withReplicaAcknowledgement(1, CALL_TIMEOUT));
            case "cluster" -> redis(RedisTopology.cluster(addresses(this.spec.get(1))));
            case "jdbc" -> jdbc(this.spec.get(1), this.spec.get(2), this.spec.get(3));
            case "broken" -> {
                HostAndPort address = addresses(this.spec.get(2)).get(0);
                JedisPooled redis = new JedisPooled(address, config());
                yield keep(new BrokenRedisBackend(redis, BrokenRedisBackend.Flaw.valueOf(this.spec.get(1))));
            }
            default -> throw new IllegalArgumentException("Unknown backend " + kind);
        };
    }

    private LeaseBackend redis(RedisTopology topology) {
        return redis(topology, RedisLockOptions.defaults());
    }

    private LeaseBackend redis(RedisTopology topology, RedisLockOptions options) {
        RedisConnections connections = keep(RedisConnections.create(topology, config(), config(), 8));
        return keep(new RedisLeaseBackend(connections, options));
    }

    private LeaseBackend jdbc(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password.equals("-") ? "" : password);
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(CALL_TIMEOUT.toMillis() + 250);
        config.setValidationTimeout(CALL_TIMEOUT.toMillis());
        config.setInitializationFailTimeout(-1);
        config.setPoolName("chaos-" + url.hashCode());
        HikariDataSource dataSource = keep(new HikariDataSource(config));
        return keep(JdbcLeaseBackend.create(dataSource, JdbcLockOptions.defaults().withQueryTimeout(CALL_TIMEOUT)));
    }

    private static JedisClientConfig config() {
        int millis = (int) CALL_TIMEOUT.toMillis();
        return DefaultJedisClientConfig.builder().socketTimeoutMillis(millis).connectionTimeoutMillis(millis).build();
    }

    private static List<HostAndPort> addresses(String list) {
        List<HostAndPort> addresses = new ArrayList<>();
        for (String address : list.split(",")) {
            addresses.add(new HostAndPort(host(address), port(address)));
        }
        return addresses;
    }

    private static String host(String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private <T extends AutoCloseable> T keep(T resource) {
        this.resources.add(0, resource);
        return resource;
    }

    @Override
    public void close() {
        for (AutoCloseable resource : this.resources) {
            try {
                resource.close();
            }
            catch (Exception ex) {
                // The worker is ending; what it held ends with it.
            }
        }
    }

}
