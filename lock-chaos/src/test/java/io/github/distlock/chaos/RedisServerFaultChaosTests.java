package io.github.distlock.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.distlock.chaos.HistoryEvent.Kind;
import io.github.distlock.testservers.LocalProcess;
import io.github.distlock.testservers.RedisServer;

import static io.github.distlock.chaos.ChaosScenarios.LEASE;
import static io.github.distlock.chaos.ChaosScenarios.TAKEOVER_SLACK;
import static io.github.distlock.chaos.ChaosScenarios.pause;
import static io.github.distlock.chaos.ChaosScenarios.rounds;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults of the Redis server itself (reliability T08, T10), each on a server of its own: a crash and restart without
 * persistence and with an append-only file fsynced at every write, and the server's clock jumping forward while a
 * holder is inside its critical section. Without persistence (and with a clock jump) Redis forgets or expires a
 * held lease, so a second holder gets in while the first still works: the checker must record that double grant and
 * the fenced resource must show no damage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisServerFaultChaosTests {

    /** How long the server stays down after its crash. */
    private static final Duration DOWN = Duration.ofSeconds(1);

    private Hub hub;

    private Path directory;

    @BeforeAll
    void startHub() throws Exception {
        this.hub = Hub.start();
        this.directory = Files.createTempDirectory("distlock-chaos-redis-faults-");
    }

    @AfterAll
    void stopHub() {
        this.hub.close();
        LocalProcess.deleteRecursively(this.directory);
    }

    @Test
    void t08ACrashWithoutPersistenceForgetsTheHeldLeaseAndFencingStopsTheSecondHolder() throws Exception {
        List<RunResult> runs = crashAndRestart(() -> RedisServer.start());
        for (RunResult run : runs) {
            assertThat(run.verdict().overlaps()).as("the double grant after the restart:\n"
                    + run.verdict().describe()).isPositive();
        }
        ChaosReport.append("Redis standalone", "T08 server crash + restart, no persistence", runs,
                recoveries(runs), losses(runs), "the restarted server has forgotten every lease: a second holder "
                        + "gets in while the first works (overlaps seen), the resource refuses the first");
    }

    @Test
    void t08ACrashWithAnAppendOnlyFileFsyncedAtEveryWriteKeepsTheHeldLease() throws Exception {
        List<RunResult> runs = crashAndRestart(() -> RedisServer.start("--appendonly", "yes", "--appendfsync",
                "always"));
        for (RunResult run : runs) {
            // The lease was written to the file before its grant was answered, so the restarted server still has it.
            assertThat(run.verdict().unfencedOverlaps()).isZero();
        }
        ChaosReport.append("Redis standalone", "T08 server crash + restart, AOF fsync always", runs,
                recoveries(runs), losses(runs), "the restarted server still holds the leases it granted");
    }

    @Test
    void t10TheServerClockJumpingForwardExpiresAHeldLeaseAndFencingStopsTheSecondHolder() throws Exception {
        List<RunResult> runs = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            try (RedisServer redis = RedisServer.startWithMovableClock();
                    Workers workers = workers(redis)) {
                RunResult result = ChaosScenarios.run(this.hub, workers, "work=1000 hot=1", LEASE.multipliedBy(4),
                        () -> {
                            pause(Duration.ofMillis(500));
                            strike(":hot0", () -> {
                                this.hub.mark("clock +6s");
                                redis.moveClockBy(LEASE.multipliedBy(3));
                            });
                            pause(LEASE.multipliedBy(2));
                            this.hub.mark("clock back");
                            redis.moveClockBy(Duration.ZERO);
                        });
                Verdict verdict = result.verdict();
                // The scheme's stated assumption (the server clock does not jump) fails here: the checker sees the
                // double grant, and fencing must keep the damage out.
                assertThat(verdict.overlaps()).as("the double grant the jump causes:\n" + verdict.describe())
                        .isPositive();
                assertThat(verdict.staleAccepted()).as(verdict.describe()).isZero();
                assertThat(verdict.lostUpdates()).as(verdict.describe()).isZero();
                assertThat(verdict.unfencedOverlaps()).as(verdict.describe()).isZero();
                runs.add(result);
            }
        }
        ChaosReport.append("Redis standalone", "T10 server clock jumps +6 s, then back", runs, List.of(),
                List.of(), "the jump expires a held lease early: double grant seen, every one fenced off; "
                        + "the token order column counts tokens issued lower after the clock went back");
    }

    /**
     * Rounds of: workers contend in sections of 1.5 s (so the holder is still inside when the server is back, and
     * its renewal at a third of the lease fails while the server is down), the server crashes while a holder is
     * inside, stays down for {@link #DOWN}, restarts.
     */
    private List<RunResult> crashAndRestart(Supplier<RedisServer> server) throws Exception {
        List<RunResult> runs = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            try (RedisServer redis = server.get(); Workers workers = workers(redis)) {
                RunResult result = ChaosScenarios.run(this.hub, workers, "work=1500 hot=1", LEASE.multipliedBy(5),
                        () -> {
                            pause(Duration.ofMillis(500));
                            strike(":hot0", () -> {
                                this.hub.mark("crash");
                                redis.kill();
                            });
                            pause(DOWN);
                            redis.restart();
                            this.hub.mark("restarted");
                        });
                Verdict verdict = result.verdict();
                assertThat(verdict.safeWithFencing()).as("fenced, nothing stale, nothing lost, tokens in order:\n"
                        + verdict.describe()).isTrue();
                HistoryEvent restarted = result.marks("restarted").get(0);
                HistoryEvent regranted = result.firstAfter(restarted, event -> event.kind() == Kind.GRANTED)
                        .orElseThrow(() -> new AssertionError("no grant after the restart:\n" + verdict.describe()));
                assertThat(regranted.hubNanos() - restarted.hubNanos()).as("a grant soon after the restart")
                        .isLessThan(LEASE.plus(TAKEOVER_SLACK).toNanos());
                runs.add(result);
            }
        }
        return runs;
    }

    private Workers workers(RedisServer redis) {
        return Workers.start(this.hub, 3, 1, List.of("redis", "127.0.0.1:" + redis.port()), Map.of(),
                this.directory);
    }

    private void strike(String keySuffix, Runnable fault) throws InterruptedException {
        ChaosScenarios.strikeTheNextReaderOf(this.hub, keySuffix, worker -> fault.run());
    }

    private static List<Long> recoveries(List<RunResult> runs) {
        List<Long> recoveries = new ArrayList<>();
        for (RunResult run : runs) {
            HistoryEvent restarted = run.marks("restarted").get(0);
            run.firstAfter(restarted, event -> event.kind() == Kind.GRANTED)
                    .ifPresent(granted -> recoveries.add(granted.hubNanos() - restarted.hubNanos()));
        }
        return recoveries;
    }

    // From the crash to each loss signal of a lease granted before it.
    private static List<Long> losses(List<RunResult> runs) {
        List<Long> losses = new ArrayList<>();
        for (RunResult run : runs) {
            HistoryEvent crash = run.marks("crash").get(0);
            for (HistoryEvent lost : run.ofKind(Kind.LOST)) {
                if (lost.seq() > crash.seq()) {
                    losses.add(lost.hubNanos() - crash.hubNanos());
                }
            }
        }
        return losses;
    }

}
