package io.github.distlock.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.distlock.sample.scenario.ScenarioReport;
import io.github.distlock.sample.scenario.ScenarioRequest;
import io.github.distlock.sample.scenario.ScenarioRunner;
import io.github.distlock.testservers.EtcdServer;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.ZooKeeperServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample runs on every backend, chosen by {@code distributed-lock.backend} (and the backend's address): its
 * simulated servers charge each order once and the report names the backend. The embedded default (JDBC on H2) and
 * Redis have tests of their own ({@code ScenarioPageBrowserTests}, {@code SimulatedServersTests}).
 */
class SampleOnEveryBackendTests {

    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = this.started.size() - 1; i >= 0; i--) {
            this.started.get(i).close();
        }
    }

    private <T extends AutoCloseable> T started(T resource) {
        this.started.add(resource);
        return resource;
    }

    @Test
    void inMemory() {
        assertEachOrderIsChargedOnce(Map.of("distributed-lock.backend", "in-memory"), "in-memory");
    }

    @Test
    void zooKeeper() {
        ZooKeeperServer zooKeeper = started(ZooKeeperServer.start(30_000));
        assertEachOrderIsChargedOnce(Map.of("distributed-lock.backend", "zookeeper",
                "distributed-lock.zookeeper.connect-string", zooKeeper.connectString(),
                "distributed-lock.zookeeper.session-timeout", "20s"), "zookeeper");
    }

    @Test
    void etcd() {
        EtcdServer etcd = started(EtcdServer.start());
        assertEachOrderIsChargedOnce(Map.of("distributed-lock.backend", "etcd",
                "distributed-lock.etcd.endpoints", etcd.endpoint()), "etcd");
    }

    @Test
    void redlockOverThreeMasters() {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add("127.0.0.1:" + started(RedisServer.start()).port());
        }
        assertEachOrderIsChargedOnce(Map.of("distributed-lock.backend", "redis",
                "distributed-lock.redis.redlock.nodes", String.join(",", nodes)), "redlock");
    }

    private void assertEachOrderIsChargedOnce(Map<String, String> properties, String backend) {
        InProcessSample sample = started(InProcessSample.start(properties));
        ScenarioRunner runner = sample.context().getBean(ScenarioRunner.class);
        String run = runner.start(new ScenarioRequest(ScenarioRequest.Kind.CHECKOUT, 3, 10, 1, 1, true, 5, 1, true,
                ScenarioRequest.SaleDesign.LOCK)).id();
        ScenarioReport report = await().atMost(Duration.ofSeconds(120))
            .until(() -> runner.report(run).orElseThrow(), finished -> !finished.status().equals("RUNNING"));
        assertThat(report.status()).isEqualTo("FINISHED");
        assertThat(report.backend()).isEqualTo(backend);
        assertThat(report.chargesPerOrder()).as("charges of each order (last failure: %s)", report.lastFailure())
            .hasSize(10).containsOnly(1);
        assertThat(report.lockWaits()).isPositive();
    }

}
