package io.github.distlock.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.testkit.FencingLeaseBackendContractTests;
import io.github.distlock.testkit.MultiKeyContract;
import io.github.distlock.testkit.QueueingContract;
import io.github.distlock.testkit.SharedLeaseContract;
import io.github.distlock.testservers.RedisClusterGroup;
import io.github.distlock.testservers.RedisSentinelGroup;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend contract, fencing and release notification included (and shared leases on a standalone server and a
 * Cluster), on each Redis topology: a standalone server
 * (through the backend's own connections and through an application's own Jedis client), a Sentinel-monitored
 * master and a three-node Cluster, all real servers started for these tests.
 */
class RedisContractTests {

    private static final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();

    private static FencingLeaseBackend backendOver(RedisConnections connections) {
        clients.add(connections);
        return new RedisLeaseBackend(connections, RedisLockOptions.defaults());
    }

    @AfterAll
    static void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        clients.clear();
    }

    @Nested
    class Standalone extends FencingLeaseBackendContractTests
            implements QueueingContract, SharedLeaseContract, MultiKeyContract {

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

        @Override
        public List<String> keysTakenTogether(int count) {
            String base = uniqueKey();
            return IntStream.range(0, count).mapToObj(i -> base + "-" + i).toList();
        }

    }

    @Nested
    class ApplicationsOwnClient extends FencingLeaseBackendContractTests implements QueueingContract {

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
            UnifiedJedis jedis = RedisTestClients.applicationClient(server);
            clients.add(jedis);
            return new RedisLeaseBackend(jedis);
        }

    }

    @Nested
    class Sentinel extends FencingLeaseBackendContractTests implements QueueingContract {

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
            return backendOver(RedisTestClients.sentinel(group));
        }

    }

    @Nested
    class Cluster extends FencingLeaseBackendContractTests
            implements QueueingContract, SharedLeaseContract, MultiKeyContract {

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
            return backendOver(RedisTestClients.cluster(cluster));
        }

        /** Keys whose stored keys hash to one slot: each lock key is its own hash tag, so they are searched for. */
        @Override
        public List<String> keysTakenTogether(int count) {
            String base = uniqueKey();
            int slot = JedisClusterCRC16.getSlot(base + "-0");
            List<String> keys = new ArrayList<>(List.of(base + "-0"));
            for (int n = 1; keys.size() < count; n++) {
                if (JedisClusterCRC16.getSlot(base + "-" + n) == slot) {
                    keys.add(base + "-" + n);
                }
            }
            keys.sort(null);
            return keys;
        }

        @Test
        void keysOfDifferentSlotsAreNotTakenTogether() {
            RedisLeaseBackend backend = (RedisLeaseBackend) backend();
            String base = uniqueKey();
            String other = base + "-1";
            for (int n = 2; JedisClusterCRC16.getSlot(other) == JedisClusterCRC16.getSlot(base); n++) {
                other = base + "-" + n;
            }
            assertThat(backend.acquiresTogether(List.of(base, other))).isFalse();
            assertThat(backend.acquiresTogether(keysTakenTogether(2))).isTrue();
        }

    }

}
