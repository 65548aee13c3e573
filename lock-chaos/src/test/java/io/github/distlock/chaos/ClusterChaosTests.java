package io.github.distlock.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.distlock.chaos.HistoryEvent.Kind;
import io.github.distlock.testservers.RedisClusterGroup;
import io.github.distlock.testservers.RedisServer;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis backend over Redis Cluster (three masters, no replicas) under the chaos harness: three worker JVMs, two
 * threads each; and the hot key's master killed and restarted at once, without persistence (reliability T08), which
 * this cluster, having no replicas, can only answer by losing the node's leases.
 */
class ClusterChaosTests extends WorkerFaultScenarios {

    /** How long after the node's restart its keys must be granted again (the cluster first takes it back). */
    private static final Duration REACQUIRE_BOUND = Duration.ofSeconds(30);

    private RedisClusterGroup cluster;

    @Override
    String backendName() {
        return "Redis Cluster";
    }

    @Override
    void startServer() {
        this.cluster = RedisClusterGroup.start();
    }

    @Override
    void stopServer() {
        if (this.cluster != null) {
            this.cluster.close();
        }
    }

    @Override
    List<String> backendSpec() {
        return List.of("cluster", this.cluster.nodes().stream().map(node -> "127.0.0.1:" + node.port())
                .collect(Collectors.joining(",")));
    }

    @Test
    void t08TheHotKeysMasterKilledAndRestartedWithoutItsDataIsFencedAndItsKeysAreGrantedAgain() throws Exception {
        List<RunResult> runs = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        List<Long> detections = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            AtomicReference<String> victim = new AtomicReference<>();
            List<Boolean> anotherReader = new ArrayList<>();
            RunResult result = run("work=20 hot=1 cold=20 hotPercent=60", Duration.ofSeconds(4), () -> {
                pause(Duration.ofMillis(500));
                try (HeldStrike strike = HeldStrike.arm(this.hub, ":hot0", reader -> {
                    RedisServer node = nodeHolding("*:hot0}");
                    this.hub.mark("kill");
                    node.kill();
                    node.restart();
                    this.hub.mark("restarted");
                })) {
                    victim.set(strike.awaitVictim(Duration.ofSeconds(20)));
                    // The holder stays inside its section for its lease and more, or until the key is taken.
                    anotherReader.add(strike.awaitAnotherReader(LEASE.multipliedBy(2)));
                    pause(Duration.ofMillis(500));
                }
                this.hub.mark("let go");
                pause(LEASE);
            });
            assertThat(victim.get()).as("a worker read the hot key").isNotNull();
            assertSafeWithFencing(result);
            HistoryEvent kill = result.marks("kill").get(0);
            HistoryEvent restarted = result.marks("restarted").get(0);
            HistoryEvent struckRead = readStruckAt(result, kill, victim.get());
            HistoryEvent struckGrant = grantOf(result, struckRead);
            HistoryEvent again = result.firstAfter(restarted, event -> event.kind() == Kind.GRANTED
                    && event.key().equals(struckRead.key())).orElseThrow(() -> new AssertionError(
                            "the hot key was not granted after the restart:\n" + result.verdict().describe()));
            assertThat(again.hubNanos() - restarted.hubNanos()).as("hot key granted again after the restart")
                    .isLessThan(REACQUIRE_BOUND.toNanos());
            recoveries.add(again.hubNanos() - kill.hubNanos());
            Optional<HistoryEvent> lost = result.firstAfter(kill, event -> event.kind() == Kind.LOST
                    && event.grant().equals(struckGrant.grant()));
            lost.ifPresent(event -> detections.add(event.hubNanos() - kill.hubNanos()));
            boolean doubleGrant = lost.isEmpty() || lost.get().seq() > again.seq();
            outcomes.add(String.format("%s: next grant %d ms after the kill, %s; holder %s; its late write %s",
                    struckGrant.grant(), (again.hubNanos() - kill.hubNanos()) / 1_000_000,
                    doubleGrant ? "before the holder was told of its loss (double grant)"
                            : "after the holder was told of its loss",
                    lost.map(event -> "told of its loss " + (event.hubNanos() - kill.hubNanos()) / 1_000_000
                            + " ms after the kill").orElse("never told of its loss"),
                    result.history().stream().anyMatch(event -> event.grant().equals(struckGrant.grant())
                            && event.kind() == Kind.WRITE_REJECTED) ? "refused" : "accepted"));
            pause(LEASE.plusSeconds(1));
            assertNothingHeld(result.grantedKeys());
            runs.add(result);
        }
        ChaosReport.append(backendName(), "T08 SIGKILL the hot key's master, restart at once (no replica, no "
                + "persistence)", runs, recoveries, detections, "the node's leases are gone with its data; holder "
                        + "kept in its section 2 T; " + String.join("; ", outcomes)
                        + "; recovery = kill to the hot key's next grant");
    }

    /**
     * The master that holds a lease on a key matching: its value names an owner ({@code token:owner}), where a
     * released key of an earlier run keeps only its last token.
     */
    private RedisServer nodeHolding(String pattern) {
        for (RedisServer node : this.cluster.nodes()) {
            try (Jedis connection = node.connect()) {
                for (String key : connection.keys(pattern)) {
                    if ("string".equals(connection.type(key)) && String.valueOf(connection.get(key)).contains(":")) {
                        return node;
                    }
                }
            }
        }
        throw new IllegalStateException("No node holds a lease on a key matching " + pattern);
    }

}
