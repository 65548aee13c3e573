package io.github.distlock.redis;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.testkit.FencingLeaseBackendContractTests;
import io.github.distlock.testkit.ReleaseNotificationContract;
import io.github.distlock.testkit.server.RedisClusterGroup;
import io.github.distlock.testkit.server.RedisSentinelGroup;
import io.github.distlock.testkit.server.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;

/**
 * The backend contract, fencing and release notification included, on each Redis topology: a standalone server,
 * a Sentinel-monitored master and a three-node Cluster, all real servers started for these tests.
 */
class RedisContractTests {

    private static final List<UnifiedJedis> clients = new CopyOnWriteArrayList<>();

    private static FencingLeaseBackend backendOver(UnifiedJedis jedis) {
        clients.add(jedis);
        return new RedisLeaseBackend(() -> jedis, RedisLockOptions.defaults());
    }

    @AfterAll
    static void closeClients() {
        clients.forEach(UnifiedJedis::close);
        clients.clear();
    }

    @Nested
    class Standalone extends FencingLeaseBackendContractTests implements ReleaseNotificationContract {

        private static RedisServer server;

        @BeforeAll
        static void startServer() {
            server = RedisServer.start();
        }

        @AfterAll
        static void stopServer() {
            server.close();
        }

        @Override
        protected FencingLeaseBackend createBackend() {
            return backendOver(RedisTestClients.standalone(server));
        }

    }

    @Nested
    class Sentinel extends FencingLeaseBackendContractTests implements ReleaseNotificationContract {

        private static RedisSentinelGroup group;

        @BeforeAll
        static void startGroup() {
            group = RedisSentinelGroup.start("contract");
        }

        @AfterAll
        static void stopGroup() {
            group.close();
        }

        @Override
        protected FencingLeaseBackend createBackend() {
            List<HostAndPort> sentinels = group.sentinelPorts().stream()
                .map(port -> new HostAndPort("127.0.0.1", port))
                .toList();
            return backendOver(RedisTopology.sentinel(group.masterName(), sentinels)
                .connect(RedisTestClients.config(), RedisTestClients.config(), 16));
        }

    }

    @Nested
    class Cluster extends FencingLeaseBackendContractTests implements ReleaseNotificationContract {

        private static RedisClusterGroup cluster;

        @BeforeAll
        static void startCluster() {
            cluster = RedisClusterGroup.start();
        }

        @AfterAll
        static void stopCluster() {
            cluster.close();
        }

        @Override
        protected FencingLeaseBackend createBackend() {
            List<HostAndPort> nodes = cluster.nodes().stream()
                .map(node -> new HostAndPort(node.host(), node.port()))
                .toList();
            return backendOver(RedisTopology.cluster(nodes).connect(RedisTestClients.config(), RedisTestClients.config(),
                    16));
        }

    }

}
