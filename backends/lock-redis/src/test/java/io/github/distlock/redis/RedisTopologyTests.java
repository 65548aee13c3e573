package io.github.distlock.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.RedisClusterGroup;
import io.github.distlock.testservers.RedisSentinelGroup;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.TestCertificates;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisAccessControlException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The backend over each topology and security setting, against real servers: Sentinel with a failover, Cluster,
 * an ACL user, and TLS with certificates made for the test.
 */
class RedisTopologyTests {

    @Test
    void afterASentinelFailoverLockingWorksAgainWithoutRestartingTheClient() {
        try (RedisSentinelGroup group = RedisSentinelGroup.start("locks")) {
            try (RedisConnections connections = RedisTestClients.sentinel(group);
                    RedisLeaseBackend backend = new RedisLeaseBackend(connections, RedisLockOptions.defaults());
                    LockEngine engine = new LockEngine(backend)) {
                String key = "failover-" + UUID.randomUUID();
                engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))).orElseThrow().release();
                int oldMaster = group.currentMasterPort();
                group.initialMaster().kill();
                await().atMost(Duration.ofSeconds(60)).until(() -> group.currentMasterPort() != oldMaster);
                Lease afterFailover = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))).orElse(null),
                            lease -> lease != null);
                assertThat(afterFailover.fencingToken()).isPresent();
                afterFailover.release();
            }
        }
    }

    @Test
    void aClusterGrantsLocksWhoseKeysLiveInDifferentSlots() {
        try (RedisClusterGroup cluster = RedisClusterGroup.start()) {
            try (RedisConnections connections = RedisTestClients.cluster(cluster);
                    RedisLeaseBackend backend = new RedisLeaseBackend(connections, RedisLockOptions.defaults());
                    LockEngine engine = new LockEngine(backend)) {
                for (int i = 0; i < 30; i++) {
                    String key = "order-" + i + "-" + UUID.randomUUID();
                    Lease lease = engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))).orElseThrow();
                    assertThat(engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5)).withReentrant(false)))
                        .isEmpty();
                    assertThat(backend.renewIfOwner(key, lease.ownerToken(), Duration.ofSeconds(5))).isTrue();
                    lease.release();
                }
            }
        }
    }

    @Test
    void anAclUserWithAPasswordConnectsAndAWrongPasswordIsRefused() {
        try (RedisServer server = RedisServer.start("--user", "locker", "on", ">s3cret", "~distlock:*",
                "&*", "+@all", "--user", "default", "off")) {
            JedisClientConfig locker = DefaultJedisClientConfig.builder().user("locker").password("s3cret")
                .connectionTimeoutMillis(1000).socketTimeoutMillis(1000).build();
            try (RedisConnections connections = RedisConnections.create(
                    RedisTopology.standalone(server.host(), server.port()), locker, locker, 4);
                    RedisLeaseBackend backend = new RedisLeaseBackend(connections, RedisLockOptions.defaults());
                    LockEngine engine = new LockEngine(backend)) {
                engine.tryAcquire(LockRequest.of("acl-" + UUID.randomUUID(), Duration.ofSeconds(5))).orElseThrow()
                    .release();
            }
            JedisClientConfig wrong = DefaultJedisClientConfig.builder().user("locker").password("guess")
                .connectionTimeoutMillis(1000).socketTimeoutMillis(1000).build();
            try (RedisConnections connections = RedisConnections.create(
                    RedisTopology.standalone(server.host(), server.port()), wrong, wrong, 4)) {
                assertThatThrownBy(connections::ping).isInstanceOf(RedisUnavailableException.class)
                    .hasMessageContaining("refused").hasCauseInstanceOf(JedisAccessControlException.class)
                    .hasMessageNotContaining("guess");
            }
        }
    }

    @Test
    void aTlsPortWithTheTestsOwnCertificatesConnects() throws Exception {
        Path directory = Files.createTempDirectory("distlock-tls");
        TestCertificates certificates = TestCertificates.generate(directory);
        int tlsPort = FreePorts.next();
        try (RedisServer server = RedisServer.start(certificates.redisTlsArguments(tlsPort).toArray(String[]::new))) {
            JedisClientConfig tls = DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(certificates.clientContext().getSocketFactory())
                .connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build();
            try (RedisConnections connections = RedisConnections.create(RedisTopology.standalone("127.0.0.1", tlsPort),
                    tls, tls, 4);
                    RedisLeaseBackend backend = new RedisLeaseBackend(connections, RedisLockOptions.defaults());
                    LockEngine engine = new LockEngine(backend)) {
                Lease lease = engine.tryAcquire(LockRequest.of("tls-" + UUID.randomUUID(), Duration.ofSeconds(5)))
                    .orElseThrow();
                assertThat(lease.fencingToken()).isPresent();
                lease.release();
            }
        }
        finally {
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

}
