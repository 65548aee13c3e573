package io.github.distlock.redis;

import java.util.UUID;

import io.github.distlock.testservers.RedisServer;
import redis.clients.jedis.Jedis;

import static org.awaitility.Awaitility.await;

/**
 * Waits for replicas in tests.
 */
final class RedisReplicas {

    private RedisReplicas() {
    }

    /**
     * Waits until the master's replicas have finished their initial sync and acknowledge writes: a write followed by
     * {@code WAIT} on the same connection counts them. ("state=online" alone races the first acknowledgement.)
     */
    static void awaitInSync(RedisServer master, int replicas) {
        await().atMost(RedisTestClients.EVENTUALLY).ignoreExceptions().until(() -> {
            try (Jedis admin = master.connect()) {
                admin.set("replica-sync-probe", UUID.randomUUID().toString());
                return admin.waitReplicas(replicas, 200) >= replicas;
            }
        });
    }

}
