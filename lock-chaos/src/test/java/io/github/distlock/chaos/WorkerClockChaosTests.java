package io.github.distlock.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.distlock.chaos.HistoryEvent.Kind;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.testservers.LocalProcess;
import io.github.distlock.testservers.RedisServer;

import static io.github.distlock.chaos.ChaosScenarios.LEASE;
import static io.github.distlock.chaos.ChaosScenarios.grantOf;
import static io.github.distlock.chaos.ChaosScenarios.pause;
import static io.github.distlock.chaos.ChaosScenarios.rounds;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workers' wall clock jumps and races (reliability T11), on one Redis server: two of the three worker JVMs run
 * under libfaketime, whose offset file the test rewrites while they run (+60 s, then -60 s, then twice as fast),
 * with their monotonic clock left alone. The engine times leases on the monotonic clock only, so a lease whose
 * renewals are stalled must be signalled lost after the same time whatever the wall clock does.
 *
 * <p>What libfaketime 0.9.10 (Debian) does to a JVM, measured on OpenJDK 17: with the monotonic fix that its glibc
 * check enables by default, every timed wait overran ({@code Thread.sleep(500)} took 600-890 ms), so the workers run
 * with {@code FAKETIME_FORCE_MONOTONIC_FIX=0}, under which timed waits take their time exactly through offset jumps.
 * Its own rate setting ({@code "+0 x2"}) cannot be used: without the fix every timed wait ({@code Thread.sleep},
 * {@code LockSupport.parkNanos}, {@code Object.wait}) hangs for good once the rate is set, and with the fix
 * {@code parkNanos} and {@code Object.wait} return at once and {@code Thread.sleep} overruns by a third. The test
 * runs the wall clock at twice its rate by moving the offset forward by each tenth of a second that passes (a
 * fractional offset such as {@code "+1.5"} is read as such).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerClockChaosTests {

    private static final String BACKEND = "Redis standalone";

    /** Debian's libfaketime (package {@code faketime}). */
    private static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");

    /** How far a lease's grant-to-loss time may stray from the lease minus the drift allowance. */
    private static final double TOLERANCE = 0.05;

    /** The workers whose wall clock the test moves; w1 keeps the real one. */
    private static final List<String> MOVED = List.of("w2", "w3");

    private RedisServer redis;

    private Hub hub;

    private Workers workers;

    private Path directory;

    private Path clock;

    @BeforeAll
    void startServerAndWorkers() throws Exception {
        assertThat(LIBFAKETIME).as("libfaketime (apt-get install -y faketime)").isReadable();
        this.directory = Files.createTempDirectory("distlock-chaos-clock-");
        this.clock = this.directory.resolve("worker-clock");
        setClock("+0");
        this.hub = Hub.start();
        this.redis = RedisServer.start();
        Map<String, String> movedClock = Map.of("LD_PRELOAD", LIBFAKETIME.toString(), "FAKETIME_TIMESTAMP_FILE",
                this.clock.toString(), "FAKETIME_NO_CACHE", "1", "FAKETIME_DONT_FAKE_MONOTONIC", "1",
                "FAKETIME_FORCE_MONOTONIC_FIX", "0");
        this.workers = Workers.start(this.hub, 3, 1, name -> List.of("redis", "127.0.0.1:" + this.redis.port()),
                name -> MOVED.contains(name) ? movedClock : Map.of(), this.directory);
    }

    @AfterAll
    void stopEverything() {
        if (this.workers != null) {
            this.workers.close();
        }
        if (this.redis != null) {
            this.redis.close();
        }
        if (this.hub != null) {
            this.hub.close();
        }
        LocalProcess.deleteRecursively(this.directory);
    }

    @Test
    void t11WallClockJumpsAndDoubleSpeedOnTheWorkersLeaveTheirLeasesLengthsOnTheMonotonicClockUnchanged()
            throws Exception {
        Duration drift = LockEngineSettings.defaults().clockDriftFor(LEASE);
        long expected = LEASE.minus(drift).toNanos();
        long tolerance = (long) (expected * TOLERANCE);
        List<RunResult> runs = new ArrayList<>();
        List<Long> movedLeases = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            RunResult result;
            this.workers.tellAll("stall-renewals on");
            try {
                // Every section (3 s) outlives its lease (2 s), whose renewals all stall: each lease is lost.
                result = ChaosScenarios.run(this.hub, this.workers, "hot=3 longEvery=1 longWork=3000",
                        Duration.ofSeconds(16), () -> {
                            pause(Duration.ofSeconds(3));
                            this.hub.mark("+60");
                            setClock("+60");
                            pause(Duration.ofSeconds(4));
                            this.hub.mark("-60");
                            setClock("-60");
                            pause(Duration.ofSeconds(4));
                            this.hub.mark("x2");
                            runTwiceAsFastFrom(-60, Duration.ofSeconds(4));
                        });
            }
            finally {
                this.workers.tellAll("stall-renewals off");
                setClock("+0");
            }
            assertThat(result.verdict().unfencedOverlaps()).as("two holders that both wrote:\n"
                    + result.verdict().describe()).isZero();
            assertThat(result.verdict().safeWithFencing()).as("every overlap fenced off:\n"
                    + result.verdict().describe()).isTrue();
            List<HistoryEvent> losses = result.ofKind(Kind.LOST);
            assertThat(losses).as("leases lost").isNotEmpty();
            for (HistoryEvent lost : losses) {
                long held = lost.workerNanos() - grantOf(result, lost).workerNanos();
                assertThat(held).as("grant to loss of %s (%s), on its monotonic clock", lost.grant(), lost.worker())
                        .isBetween(expected - tolerance, expected + tolerance);
                if (MOVED.contains(lost.worker())) {
                    movedLeases.add(held);
                }
            }
            for (String phase : List.of("+60", "-60", "x2")) {
                HistoryEvent mark = result.marks(phase).get(0);
                assertThat(losses).as("leases of the moved workers granted and lost after the clock went " + phase)
                        .anyMatch(lost -> MOVED.contains(lost.worker()) && lost.seq() > mark.seq()
                                && grantOf(result, lost).seq() > mark.seq());
            }
            runs.add(result);
        }
        ChaosReport.append(BACKEND, "T11 worker wall clock +60 s, -60 s, x2", runs, List.of(), movedLeases,
                "2x = the offset moved forward every 100 ms; loss detected = grant to loss on the moved workers' "
                        + "monotonic clock; bound "
                        + Duration.ofNanos(expected).toMillis() + " ms +- 5 %");
    }

    /** Moves the offset forward as real time passes, by as much: the moved clocks run at twice the rate. */
    private void runTwiceAsFastFrom(int offsetSeconds, Duration duration) throws IOException {
        long start = System.nanoTime();
        long elapsed;
        while ((elapsed = System.nanoTime() - start) < duration.toNanos()) {
            setClock(String.format(java.util.Locale.ROOT, "%+.2f", offsetSeconds + elapsed / 1e9));
            pause(Duration.ofMillis(100));
        }
    }

    private void setClock(String offset) throws IOException {
        // Written whole and moved into place: libfaketime reads the file at every clock call.
        Path next = this.clock.resolveSibling("worker-clock.next");
        Files.writeString(next, offset + "\n", StandardCharsets.UTF_8);
        Files.move(next, this.clock, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

}
