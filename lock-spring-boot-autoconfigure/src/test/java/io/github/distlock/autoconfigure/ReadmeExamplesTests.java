package io.github.distlock.autoconfigure;

import java.io.IOException;
import java.sql.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedlockLeaseBackend;
import io.github.distlock.testservers.EtcdServer;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.MariaDbServer;
import io.github.distlock.testservers.PostgresServer;
import io.github.distlock.testservers.RedisClusterGroup;
import io.github.distlock.testservers.RedisSentinelGroup;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.TestCertificates;
import io.github.distlock.testservers.ZooKeeperServer;
import org.apache.curator.framework.CuratorFramework;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration example of the README, read from the README itself (the YAML block after each
 * {@code <!-- example: name -->} line), loaded into an application against a real server, with its {@code ${...}}
 * values pointed at that server; a lock is then taken through it. An example that stops working, or a new one
 * without a test here, fails the build.
 */
class ReadmeExamplesTests {

    private static final Path README = Path.of("..", "README.md");

    private static final Pattern EXAMPLE = Pattern.compile("<!-- example: ([a-z-]+) -->\\s*```yaml\\n(.*?)```",
            Pattern.DOTALL);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, SslAutoConfiguration.class,
                DistributedLockAutoConfiguration.class));

    @Test
    void everyExampleOfTheReadmeHasATestHere() throws IOException {
        assertThat(examples().keySet()).containsExactlyInAnyOrder("redis-standalone", "redis-sentinel",
                "redis-cluster", "redis-redlock", "redis-tls", "jdbc-postgresql", "jdbc-mariadb", "zookeeper", "etcd", "in-memory");
    }

    @Test
    void redisStandalone() throws IOException {
        try (RedisServer redis = RedisServer.start()) {
            assertExampleLocks("redis-standalone", "redis", ":" + redis.port(), "REDIS_HOST=127.0.0.1",
                    "REDIS_PORT=" + redis.port());
        }
    }

    @Test
    void redisSentinel() throws IOException {
        try (RedisSentinelGroup group = RedisSentinelGroup.start("locks")) {
            String nodes = group.sentinelPorts().stream().map(port -> "127.0.0.1:" + port)
                .collect(Collectors.joining(","));
            assertExampleLocks("redis-sentinel", "redis", ":" + group.currentMasterPort(),
                    "REDIS_SENTINEL_MASTER=" + group.masterName(), "REDIS_SENTINEL_NODES=" + nodes);
        }
    }

    @Test
    void redisCluster() throws IOException {
        try (RedisClusterGroup cluster = RedisClusterGroup.start()) {
            String nodes = cluster.nodes().stream().map(node -> node.host() + ":" + node.port())
                .collect(Collectors.joining(","));
            assertExampleLocks("redis-cluster", "redis", "Cluster node 127.0.0.1:", "REDIS_CLUSTER_NODES=" + nodes);
        }
    }

    @Test
    void redisRedlock() throws IOException {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start();
                RedisServer c = RedisServer.start()) {
            String nodes = Stream.of(a, b, c).map(server -> "127.0.0.1:" + server.port())
                .collect(Collectors.joining(","));
            assertExampleLocks("redis-redlock", "redlock", ":" + c.port(), "REDLOCK_NODES=" + nodes);
        }
    }

    @Test
    void redisOverTlsWithAnAclUser(@TempDir Path directory) throws IOException {
        TestCertificates certificates = TestCertificates.generate(directory);
        int tlsPort = FreePorts.next();
        String password = "pw-" + UUID.randomUUID();
        List<String> arguments = new ArrayList<>(certificates.redisTlsArguments(tlsPort));
        arguments.addAll(List.of("--user", "locker", "on", ">" + password, "~*", "&*", "+@all", "--user", "default",
                "off"));
        try (RedisServer redis = RedisServer.start(arguments.toArray(String[]::new))) {
            assertExampleLocks("redis-tls", "redis", ":" + tlsPort,
                    "REDIS_CA_CERTIFICATE=file:" + certificates.caCertificate(),
                    "REDIS_USER=locker", "REDIS_PASSWORD=" + password, "REDIS_HOST=localhost",
                    "REDIS_TLS_PORT=" + tlsPort);
        }
    }

    @Test
    void jdbcOnPostgresql() throws IOException {
        try (PostgresServer postgres = PostgresServer.start()) {
            assertExampleLocks("jdbc-postgresql", "jdbc", ":" + postgres.port() + "/",
                    "DATABASE_URL=" + postgres.jdbcUrl(),
                    "DATABASE_USER=" + PostgresServer.SUPERUSER, "DATABASE_PASSWORD=");
        }
    }

    @Test
    void jdbcOnMariadb() throws IOException {
        try (MariaDbServer mariadb = MariaDbServer.start()) {
            assertExampleLocks("jdbc-mariadb", "jdbc", ":" + mariadb.port() + "/",
                    "DATABASE_URL=" + mariadb.jdbcUrl("mysql"),
                    "DATABASE_USER=" + MariaDbServer.ROOT_USER, "DATABASE_PASSWORD=");
        }
    }

    @Test
    void zooKeeper() throws IOException {
        try (ZooKeeperServer zooKeeper = ZooKeeperServer.start(60_000)) {
            assertExampleLocks("zookeeper", "zookeeper", ":" + zooKeeper.port(),
                    "ZOOKEEPER_CONNECT=" + zooKeeper.connectString());
        }
    }

    @Test
    void etcd() throws IOException {
        try (EtcdServer etcd = EtcdServer.start()) {
            assertExampleLocks("etcd", "etcd", ":" + etcd.port(), "ETCD_ENDPOINTS=" + etcd.endpoint());
        }
    }

    @Test
    void inMemory() throws IOException {
        assertExampleLocks("in-memory", "in-memory", null);
    }

    /**
     * Loads the example and takes a lock through it.
     * @param where a part of the lock service's address that only the test's server has (so that an example whose
     *     keys are wrong cannot pass by reaching a server on a default address), or {@code null} for in-memory
     */
    private void assertExampleLocks(String example, String backend, @Nullable String where, String... values)
            throws IOException {
        PropertySource<?> yaml = load(example);
        this.contextRunner
            .withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(yaml))
            .withPropertyValues(values)
            .run(context -> {
                assertThat(context).as("application with the README's %s example", example).hasNotFailed();
                LockClient client = context.getBean(LockClient.class);
                assertThat(client.backendName()).isEqualTo(backend);
                if (where != null) {
                    assertThat(lockServiceOf(context)).as("where the %s example locks", example).contains(where);
                }
                Lease lease = client.tryAcquire(LockRequest.of("readme-" + UUID.randomUUID(), Duration.ofSeconds(30)))
                    .orElseThrow();
                assertThat(lease.isHeld()).isTrue();
                lease.release();
            });
    }

    private static String lockServiceOf(ApplicationContext context) throws Exception {
        if (context.getBeanNamesForType(CuratorFramework.class).length > 0) {
            return context.getBean(CuratorFramework.class).getZookeeperClient().getCurrentConnectionString();
        }
        if (context.getBeanNamesForType(EtcdLockProperties.class).length > 0) {
            // The client is built from these endpoints; jetcd does not tell which one it talks to.
            return String.join(",", context.getBean(EtcdLockProperties.class).getEndpoints());
        }
        if (context.getBeanNamesForType(RedlockLeaseBackend.class).length > 0) {
            return String.join(",", context.getBean(RedlockLeaseBackend.class).masters());
        }
        if (context.getBeanNamesForType(RedisConnections.class).length > 0) {
            return context.getBean(RedisConnections.class).describe("");
        }
        try (Connection connection = context.getBean(DataSource.class).getConnection()) {
            return connection.getMetaData().getURL();
        }
    }

    private static PropertySource<?> load(String example) throws IOException {
        String yaml = examples().get(example);
        assertThat(yaml).as("the README's %s example", example).isNotNull();
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("README " + example,
                new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)));
        assertThat(sources).hasSize(1);
        return sources.get(0);
    }

    private static Map<String, String> examples() throws IOException {
        Matcher matcher = EXAMPLE.matcher(Files.readString(README));
        Map<String, String> examples = new LinkedHashMap<>();
        while (matcher.find()) {
            examples.put(matcher.group(1), matcher.group(2));
        }
        return examples;
    }

}
