package io.github.distlock.sample;

import java.time.Duration;
import java.util.Map;

import io.github.distlock.sample.scenario.ScenarioReport;
import io.github.distlock.sample.scenario.ScenarioRequest;
import io.github.distlock.sample.scenario.ScenarioRunner;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page's simulated servers are separate lock clients, not threads sharing the application's: each opens its
 * own connections to the lock service, and they exclude each other only through it.
 */
class SimulatedServersTests {

    private static final int SERVERS = 3;

    private static RedisServer redis;

    private static InProcessSample sample;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        sample = InProcessSample.start(Map.of("distributed-lock.backend", "redis", "distributed-lock.redis.url",
                redis.uri()));
    }

    @AfterAll
    static void stop() {
        sample.close();
        redis.close();
    }

    @Test
    void eachSimulatedServerConnectsToTheLockServiceItselfAndTheyStillChargeOnce() {
        int before = connectedClients();
        ScenarioRunner runner = sample.context().getBean(ScenarioRunner.class);
        String run = runner.start(new ScenarioRequest(ScenarioRequest.Kind.CHECKOUT, SERVERS, 10, 1, 1, true, 5, 1, true)).id();
        ScenarioReport report = await().atMost(Duration.ofSeconds(60))
            .until(() -> runner.report(run).orElseThrow(), finished -> !finished.status().equals("RUNNING"));

        assertThat(report.status()).isEqualTo("FINISHED");
        assertThat(report.backend()).isEqualTo("redis");
        assertThat(report.chargesPerOrder()).hasSize(10).containsOnly(1);
        assertThat(report.lockWaits()).isPositive();
        // Each server's client holds at least its release subscription open; the test's own connection is counted
        // in both readings.
        assertThat(connectedClients() - before).isGreaterThanOrEqualTo(SERVERS);
    }

    private static int connectedClients() {
        try (Jedis connection = redis.connect()) {
            String clients = connection.clientList();
            return (int) clients.lines().filter(line -> line.contains("addr=")).count();
        }
    }

}
