package io.github.distlock.chaos;

import java.util.List;

import org.junit.jupiter.api.AfterEach;

import io.github.distlock.testservers.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis backend on one server under the chaos harness: three worker JVMs, two threads each.
 */
class RedisChaosTests extends WorkerFaultScenarios {

    /**
     * The most connections the workers may have open: per worker a pool of 8, the hand-off subscription and the
     * probe's, and the test's own.
     */
    private static final int MOST_CONNECTIONS = 3 * (8 + 2) + 2;

    private RedisServer redis;

    @AfterEach
    void noConnectionsLeak() {
        String clients = this.redis.info("clients");
        int connected = Integer.parseInt(clients.replaceAll("(?s).*connected_clients:(\\d+).*", "$1"));
        assertThat(connected).as("connections open on the server after the scenario").isLessThanOrEqualTo(
                MOST_CONNECTIONS);
    }

    @Override
    String backendName() {
        return "Redis standalone";
    }

    @Override
    void startServer() {
        this.redis = RedisServer.start();
    }

    @Override
    void stopServer() {
        if (this.redis != null) {
            this.redis.close();
        }
    }

    @Override
    List<String> backendSpec() {
        return List.of("redis", "127.0.0.1:" + this.redis.port());
    }

}
