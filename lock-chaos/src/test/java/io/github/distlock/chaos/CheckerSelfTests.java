package io.github.distlock.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.distlock.testservers.LocalProcess;
import io.github.distlock.testservers.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker's self-test: deliberately broken locks, each in the workload that exposes its flaw, must be caught in
 * at least 19 of 20 runs; and the real lock in the same workloads must never be. A checker that let these through
 * would let anything through. The broken locks are a plain {@code SET NX PX} lock on a real Redis server
 * ({@link BrokenRedisBackend}) under the real engine, or no lock at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckerSelfTests {

    private static final int RUNS = 20;

    private static final int MUST_CATCH = 19;

    /** The retried-unlock workload of T06: each unlock goes out again 10 ms later. */
    private static final String RETRIED_UNLOCKS = "work=15 hot=1 retryRelease=10";

    /** Every third section outlives a 400 ms lease by 300 ms, so it lives on renewals. */
    private static final String LONG_SECTIONS = "lease=400 work=5 longEvery=3 longWork=700 hot=1";

    private static final String CONTENTION = "work=5 hot=1";

    /** Contention in which the key goes round the workers: each pauses 10 ms after its release. */
    private static final String TAKING_TURNS = "work=5 think=10 hot=1";

    private RedisServer redis;

    private Hub hub;

    private Path directory;

    @BeforeAll
    void startRedisAndHub() throws Exception {
        this.redis = RedisServer.start();
        this.hub = Hub.start();
        this.directory = Files.createTempDirectory("distlock-chaos-selftest-");
    }

    @AfterAll
    void stopEverything() {
        if (this.hub != null) {
            this.hub.close();
        }
        if (this.redis != null) {
            this.redis.close();
        }
        LocalProcess.deleteRecursively(this.directory);
    }

    @Test
    void noLockAtAllIsCaughtOverlappingAndLosingUpdates() throws Exception {
        try (Workers workers = workers(List.of("redis", address()))) {
            List<RunResult> runs = runs(workers, "lock=none " + CONTENTION, Duration.ofMillis(600));
            assertCaught("no lock", runs, verdict -> verdict.overlaps() > 0 && verdict.lostUpdates() > 0);
            // The control: the same workers with the real lock, in each workload the broken locks get.
            for (String workload : List.of(CONTENTION, TAKING_TURNS, RETRIED_UNLOCKS, LONG_SECTIONS)) {
                RunResult control = ChaosScenarios.run(this.hub, workers, workload, Duration.ofSeconds(2), () -> {
                });
                assertThat(control.verdict().exclusive()).as("the real lock in '%s' passes:%n%s", workload,
                        control.verdict().describe()).isTrue();
            }
        }
    }

    @Test
    void aReleaseWithoutOwnerCheckIsCaughtWhenAnUnlockIsRetried() throws Exception {
        try (Workers workers = workers(List.of("broken", "UNCHECKED_RELEASE", address()))) {
            List<RunResult> runs = runs(workers, RETRIED_UNLOCKS, Duration.ofMillis(600));
            assertCaught("release without owner check", runs, verdict -> verdict.overlaps() > 0);
        }
    }

    @Test
    void aLeaseThatIsNeverRenewedIsCaughtUnderLongCriticalSections() throws Exception {
        try (Workers workers = workers(List.of("broken", "NO_RENEWAL", address()))) {
            List<RunResult> runs = runs(workers, LONG_SECTIONS, Duration.ofMillis(1200));
            assertCaught("TTL without renewal", runs, verdict -> verdict.overlaps() > 0);
        }
    }

    @Test
    void fencingTokensThatRepeatAreCaughtOutOfGrantOrder() throws Exception {
        try (Workers workers = workers(List.of("broken", "REPEATING_TOKENS", address()))) {
            List<RunResult> runs = runs(workers, TAKING_TURNS, Duration.ofMillis(600));
            assertCaught("repeating fencing tokens", runs, verdict -> verdict.tokenOrderViolations() > 0);
        }
    }

    private Workers workers(List<String> backend) {
        return Workers.start(this.hub, 3, 1, backend, Map.of(), this.directory);
    }

    private String address() {
        return "127.0.0.1:" + this.redis.port();
    }

    private List<RunResult> runs(Workers workers, String options, Duration each) throws Exception {
        List<RunResult> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            runs.add(ChaosScenarios.run(this.hub, workers, options, each, () -> {
            }));
        }
        return runs;
    }

    private static void assertCaught(String flaw, List<RunResult> runs, Predicate<Verdict> caught) {
        long times = runs.stream().map(RunResult::verdict).filter(caught).count();
        ChaosReport.append("checker self-test", flaw, runs, List.of(), List.of(), "caught in " + times + " of "
                + runs.size() + " runs");
        assertThat(times).as("runs in which '%s' was caught; the first run:%n%s", flaw,
                runs.get(0).verdict().describe()).isGreaterThanOrEqualTo(MUST_CATCH);
    }

}
