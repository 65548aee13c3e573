package io.github.distlock.sample;

import java.util.Map;

import io.github.distlock.testservers.EtcdServer;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.ZooKeeperServer;

/**
 * The lock services the sample's multi-instance tests run on, and the properties that point an instance at each.
 */
enum LockService {

    /** The embedded default: the JDBC backend, locking in the shop's own H2 database. */
    EMBEDDED_DEFAULT {
        @Override
        Map<String, String> properties(TestServers servers) {
            return Map.of();
        }
    },

    /** A real redis-server started by the test on a free port. */
    REDIS {
        @Override
        Map<String, String> properties(TestServers servers) {
            return Map.of("distributed-lock.backend", "redis", "distributed-lock.redis.url", servers.redis().uri());
        }
    },

    /** A real ZooKeeper server (Curator's in-JVM server) run by the test JVM on a free port. */
    ZOOKEEPER {
        @Override
        Map<String, String> properties(TestServers servers) {
            return Map.of("distributed-lock.backend", "zookeeper", "distributed-lock.zookeeper.connect-string",
                    servers.zooKeeper().connectString());
        }
    },

    /** A real etcd member started by the test on free ports. */
    ETCD {
        @Override
        Map<String, String> properties(TestServers servers) {
            return Map.of("distributed-lock.backend", "etcd", "distributed-lock.etcd.endpoints",
                    servers.etcd().endpoint());
        }
    };

    /**
     * Returns the properties that make an instance lock with this service.
     * @param servers the servers the test started
     * @return the properties
     */
    abstract Map<String, String> properties(TestServers servers);

    /**
     * The servers a test class started, one of each lock service that needs one.
     * @param redis the Redis server
     * @param zooKeeper the ZooKeeper server
     * @param etcd the etcd member
     */
    record TestServers(RedisServer redis, ZooKeeperServer zooKeeper, EtcdServer etcd) implements AutoCloseable {

        /** The longest session the ZooKeeper server grants: the default session timeout of the backend. */
        private static final int ZOOKEEPER_MAX_SESSION_MILLIS = 60_000;

        /**
         * Starts one server of each kind.
         * @return the running servers
         */
        static TestServers start() {
            RedisServer redis = RedisServer.start();
            ZooKeeperServer zooKeeper = null;
            try {
                zooKeeper = ZooKeeperServer.start(ZOOKEEPER_MAX_SESSION_MILLIS);
                return new TestServers(redis, zooKeeper, EtcdServer.start());
            }
            catch (RuntimeException | Error ex) {
                redis.close();
                if (zooKeeper != null) {
                    zooKeeper.close();
                }
                throw ex;
            }
        }

        @Override
        public void close() {
            this.redis.close();
            this.zooKeeper.close();
            this.etcd.close();
        }

    }

}
