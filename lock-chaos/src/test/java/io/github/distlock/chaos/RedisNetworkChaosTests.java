package io.github.distlock.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.distlock.chaos.HistoryEvent.Kind;
import io.github.distlock.testservers.LocalProcess;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.TcpProxy;

import static io.github.distlock.chaos.ChaosScenarios.LEASE;
import static io.github.distlock.chaos.ChaosScenarios.TAKEOVER_SLACK;
import static io.github.distlock.chaos.ChaosScenarios.grantOf;
import static io.github.distlock.chaos.ChaosScenarios.pause;
import static io.github.distlock.chaos.ChaosScenarios.readStruckAt;
import static io.github.distlock.chaos.ChaosScenarios.rounds;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Network faults between the workers and one Redis server (reliability T07, T12, T13): each worker JVM reaches the
 * server through a {@link TcpProxy} of its own, so that one worker's path can be cut (a partition), lose its replies,
 * or every path can be slowed down, while the others keep working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisNetworkChaosTests {

    private static final String BACKEND = "Redis standalone";

    /** The renewal interval of the engine's default settings: a third of the lease. */
    private static final Duration RENEWAL_INTERVAL = LEASE.dividedBy(3);

    private final Map<String, TcpProxy> proxies = new ConcurrentHashMap<>();

    private RedisServer redis;

    private Hub hub;

    private Workers workers;

    private Path directory;

    @BeforeAll
    void startServerProxiesAndWorkers() throws Exception {
        this.directory = Files.createTempDirectory("distlock-chaos-network-");
        this.hub = Hub.start();
        this.redis = RedisServer.start();
        this.workers = Workers.start(this.hub, 3, 1, name -> List.of("redis", "127.0.0.1:" + proxyOf(name).port()),
                name -> Map.of(), this.directory);
    }

    @AfterEach
    void healEveryPath() {
        for (TcpProxy proxy : this.proxies.values()) {
            proxy.blackhole(false);
            proxy.dropReplies(false);
            proxy.delayForwarding(Duration.ZERO, Duration.ZERO);
            proxy.stallChunksAtRandom(0, Duration.ZERO);
        }
    }

    @AfterAll
    void stopEverything() {
        if (this.workers != null) {
            this.workers.close();
        }
        this.proxies.values().forEach(TcpProxy::close);
        if (this.redis != null) {
            this.redis.close();
        }
        if (this.hub != null) {
            this.hub.close();
        }
        LocalProcess.deleteRecursively(this.directory);
    }

    @Test
    void t12AHolderCutOffByAPartitionLearnsItsLossWithinItsLeaseIsTakenOverAndFencedOffAndLocksAgainAfterTheHeal()
            throws Exception {
        List<RunResult> runs = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        List<Long> detections = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            List<String> victims = new ArrayList<>();
            // Sections of two leases: the cut holder is still inside its section when its lease runs out.
            RunResult result = ChaosScenarios.run(this.hub, this.workers, "work=" + LEASE.multipliedBy(2).toMillis()
                    + " hot=1", LEASE.multipliedBy(6), () -> {
                        pause(Duration.ofMillis(300));
                        String victim = strikeTheNextReaderOf(":hot0", reader -> {
                            this.hub.mark("cut");
                            proxyOf(reader).blackhole(true);
                        });
                        victims.add(victim);
                        pause(LEASE.multipliedBy(3));
                        this.hub.mark("heal");
                        proxyOf(victim).blackhole(false);
                    });
            String victim = victims.get(0);
            assertSafeWithFencing(result);
            HistoryEvent cut = result.marks("cut").get(0);
            HistoryEvent heal = result.marks("heal").get(0);
            HistoryEvent cutRead = readStruckAt(result, cut, victim);
            HistoryEvent cutGrant = grantOf(result, cutRead);
            HistoryEvent takeover = result.firstAfter(cut, event -> event.kind() == Kind.GRANTED
                    && event.key().equals(cutRead.key()) && !event.worker().equals(victim))
                    .orElseThrow(() -> new AssertionError("nobody took the key over from the cut-off holder:\n"
                            + result.verdict().describe()));
            assertThat(takeover.seq()).as("taken over during the partition").isLessThan(heal.seq());
            assertThat(takeover.hubNanos() - cut.hubNanos()).as("takeover within the lease and the slack")
                    .isLessThan(LEASE.plus(TAKEOVER_SLACK).toNanos());
            recoveries.add(takeover.hubNanos() - cut.hubNanos());
            HistoryEvent lost = result.firstAfter(cut, event -> event.kind() == Kind.LOST
                    && event.grant().equals(cutRead.grant())).orElseThrow(() -> new AssertionError(
                            "the cut-off holder was never told of its loss:\n" + result.verdict().describe()));
            // The engine's validity ends (drift allowance before) a lease after the attempt that granted it, by the
            // worker's own monotonic clock: no message from the server is needed to learn the loss.
            assertThat(lost.workerNanos() - cutGrant.workerNanos()).as("loss signalled within the lease, on the "
                    + "worker's clock").isLessThan(LEASE.toNanos());
            assertThat(lost.hubNanos() - cut.hubNanos()).as("loss signalled within a lease and a renewal interval "
                    + "of the cut").isLessThan(LEASE.plus(RENEWAL_INTERVAL).toNanos());
            assertThat(lost.workerNanos()).as("the cut-off holder told of its loss before the takeover's grant")
                    .isLessThan(takeover.workerNanos());
            detections.add(lost.workerNanos() - cutGrant.workerNanos());
            // The cut holder ends its section after the takeover read the resource: its write is refused.
            assertThat(result.history()).as("the cut-off holder's late write").anyMatch(event -> event.grant()
                    .equals(cutRead.grant()) && event.kind() == Kind.WRITE_REJECTED);
            assertThat(result.verdict().overlaps()).as("its section overlapped the next holder's").isPositive();
            // After the heal the worker reaches the server again: a fresh engine of it takes a key at once.
            String probe = this.workers.named(victim).command("probe " + cutRead.key() + "-after-heal",
                    Duration.ofSeconds(30));
            assertThat(probe).as("a key the healed worker tried to take and found held").isEqualTo("held=");
            runs.add(result);
        }
        ChaosReport.append(BACKEND, "T12 partition of the holder's path for 3 T", runs, recoveries, detections,
                "recovery = cut to another worker's grant, bound T + " + TAKEOVER_SLACK.toMillis() + " ms; loss "
                        + "detected = grant to loss signal on the worker's clock, bound T; late write refused; "
                        + "the healed worker locks again");
    }

    @Test
    void t07RepliesLostWhileAWorkerAcquiresLeaveNoDoubleHolderAndNoLeaseBeyondTheLease() throws Exception {
        List<RunResult> runs = new ArrayList<>();
        long dropped = 0;
        for (int round = 0; round < rounds(); round++) {
            // w1 probes the keys afterwards, so another worker's replies are lost.
            String cut = "w2";
            TcpProxy path = proxyOf(cut);
            long droppedBefore = path.repliesDropped();
            RunResult result = ChaosScenarios.run(this.hub, this.workers, "work=5 hot=2 cold=10 hotPercent=70",
                    Duration.ofSeconds(5), () -> {
                        pause(Duration.ofMillis(500));
                        this.hub.mark("drop");
                        path.dropReplies(true);
                        // Longer than a call's time limit (1 s): the worker's calls time out with their effect on
                        // the server unknown to it.
                        pause(Duration.ofMillis(1500));
                        path.dropReplies(false);
                        this.hub.mark("heal");
                    });
            long droppedNow = path.repliesDropped() - droppedBefore;
            dropped += droppedNow;
            assertThat(droppedNow).as("replies to " + cut + " thrown away").isPositive();
            assertSafeWithFencing(result);
            assertThat(result.verdict().unfencedOverlaps()).as("two holders that both wrote").isZero();
            HistoryEvent heal = result.marks("heal").get(0);
            assertThat(result.firstAfter(heal, event -> event.kind() == Kind.GRANTED && event.worker().equals(cut)))
                    .as(cut + " granted again after the window").isPresent();
            // Whatever the lost replies left on the server ends with its lease (set no later than the window's end).
            long sinceHeal = this.hub.now() - heal.hubNanos();
            pause(Duration.ofNanos(Math.max(0, LEASE.plusSeconds(1).toNanos() - sinceHeal)));
            String run = result.grantedKeys().get(0).substring(0, result.grantedKeys().get(0).indexOf(':'));
            List<String> keys = new ArrayList<>(List.of(run + ":hot0", run + ":hot1"));
            for (int cold = 0; cold < 10; cold++) {
                keys.add(run + ":cold" + cold);
            }
            String answer = this.workers.named("w1").command("probe " + String.join(",", keys),
                    Duration.ofSeconds(60));
            assertThat(answer).as("keys still held a lease and a second after the window").isEqualTo("held=");
            runs.add(result);
        }
        ChaosReport.append(BACKEND, "T07 one worker's replies lost for 1.5 s", runs, List.of(), List.of(),
                dropped + " reply chunks dropped; no lease left T + 1 s after the window");
    }

    @Test
    void t13ASlowJitteryLossyPathKeepsEveryOverlapFencedAndNoStaleWriteAccepted() throws Exception {
        List<RunResult> runs = new ArrayList<>();
        List<Long> acquireMillis = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            for (TcpProxy proxy : this.proxies.values()) {
                // 200 ms +- 50 ms each way; one chunk in twenty held 200 ms more, as a retransmitted lost packet.
                proxy.delayForwarding(Duration.ofMillis(200), Duration.ofMillis(50));
                proxy.stallChunksAtRandom(0.05, Duration.ofMillis(200));
            }
            RunResult result;
            try {
                result = ChaosScenarios.run(this.hub, this.workers, "work=20 hot=2", Duration.ofSeconds(8), () -> {
                });
            }
            finally {
                healEveryPath();
            }
            assertSafeWithFencing(result);
            assertThat(result.verdict().unfencedOverlaps()).as("two holders that both wrote").isZero();
            assertThat(result.verdict().staleAccepted()).as("stale accesses accepted").isZero();
            assertThat(result.verdict().grants()).as("grants in 8 s over the slow path").isGreaterThan(3);
            for (HistoryEvent granted : result.ofKind(Kind.GRANTED)) {
                acquireMillis.add(TimeUnit.MICROSECONDS.toNanos(Long.parseLong(granted.detail()
                        .replaceAll(".*waited-us=(\\d+).*", "$1"))));
            }
            runs.add(result);
        }
        ChaosReport.append(BACKEND, "T13 every path 200 +- 50 ms, 5 % chunks +200 ms", runs, acquireMillis,
                List.of(), "recovery column = acquire time (wait included) p50 / p99");
    }

    private TcpProxy proxyOf(String worker) {
        return this.proxies.computeIfAbsent(worker, name -> TcpProxy.start(this.redis.port()));
    }

    private String strikeTheNextReaderOf(String keySuffix, Consumer<String> action) throws Exception {
        return ChaosScenarios.strikeTheNextReaderOf(this.hub, keySuffix, action);
    }

    private static void assertSafeWithFencing(RunResult result) {
        assertThat(result.verdict().safeWithFencing()).as("every overlap fenced off, no stale write accepted, no "
                + "lost update, tokens in order:\n" + result.verdict().describe()).isTrue();
    }

}
