package io.github.distlock.sample;

import java.util.Map;

import io.github.distlock.testservers.RedisServer;

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
    };

    /**
     * Returns the properties that make an instance lock with this service.
     * @param servers the servers the test started
     * @return the properties
     */
    abstract Map<String, String> properties(TestServers servers);

    /**
     * The servers a test class started.
     * @param redis the Redis server
     */
    record TestServers(RedisServer redis) {
    }

}
