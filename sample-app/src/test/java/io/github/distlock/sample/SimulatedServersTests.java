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
        ScenarioReport report = runToTheEnd(runner, new ScenarioRequest(ScenarioRequest.Kind.CHECKOUT, SERVERS, 10,
                1, 1, true, 5, 1, true, ScenarioRequest.SaleDesign.LOCK));

        assertThat(report.status()).isEqualTo("FINISHED");
        assertThat(report.backend()).isEqualTo("redis");
        assertThat(report.chargesPerOrder()).hasSize(10).containsOnly(1);
        assertThat(report.lockWaits()).isPositive();
        // Each server's client holds at least its release subscription open; the test's own connection is counted
        // in both readings.
        assertThat(connectedClients() - before).isGreaterThanOrEqualTo(SERVERS);
    }

    @Test
    void tenThousandBuyersOnRedisOversellWithoutTheLockAndBuyExactlyTheStockWithIt() {
        ScenarioRunner runner = sample.context().getBean(ScenarioRunner.class);
        ScenarioReport unlocked = runToTheEnd(runner, flashSale(false, ScenarioRequest.SaleDesign.LOCK));
        assertThat(unlocked.oversold()).as("oversold without the lock").isPositive();
        for (ScenarioRequest.SaleDesign design : ScenarioRequest.SaleDesign.values()) {
            ScenarioReport report = runToTheEnd(runner, flashSale(true, design));
            assertThat(report.status()).isEqualTo("FINISHED");
            assertThat(report.backend()).isEqualTo((design == ScenarioRequest.SaleDesign.LOCK) ? "redis" : "none");
            assertThat(report.sold()).as("sold with %s", design).isEqualTo(20);
            assertThat(report.oversold()).as("oversold with %s", design).isZero();
            assertThat(report.done()).isEqualTo(ScenarioRequest.MAX_BUYERS);
            assertThat(report.lockNotAcquired() + report.otherFailures()).as("failed buys with %s", design).isZero();
        }
    }

    private static ScenarioRequest flashSale(boolean locked, ScenarioRequest.SaleDesign design) {
        return new ScenarioRequest(ScenarioRequest.Kind.FLASH_SALE, 4, 1, ScenarioRequest.MAX_BUYERS, 20, locked, 20, 1,
                true, design);
    }

    // Runs get a generous bound: ten thousand buyers take about a second here, far longer on a loaded machine.
    private static ScenarioReport runToTheEnd(ScenarioRunner runner, ScenarioRequest request) {
        String run = runner.start(request).id();
        return await().atMost(Duration.ofSeconds(120))
            .until(() -> runner.report(run).orElseThrow(), finished -> !finished.status().equals("RUNNING"));
    }

    private static int connectedClients() {
        try (Jedis connection = redis.connect()) {
            String clients = connection.clientList();
            return (int) clients.lines().filter(line -> line.contains("addr=")).count();
        }
    }

}
