package io.github.distlock.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.distlock.chaos.HistoryEvent.Kind;
import io.github.distlock.testservers.DatabaseServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database crash of a JDBC backend's chaos class (reliability T08, T16, T17), mixed into a
 * {@link ChaosScenarios} subclass: while workers contend (every other section outliving the lease, so that holders
 * are inside long sections when it strikes), the database server is killed with SIGKILL, kept down for a lease and
 * started again on its data. Fencing must keep the resource safe and tokens must not go back, every holder whose
 * section outlived its lease must be told of its loss, locks must be granted again after the restart, and no lease
 * may be left behind.
 *
 * <p>A mix-in rather than a superclass, so that a backend's class keeps its place under {@link WorkerFaultScenarios};
 * only subclasses of {@link ChaosScenarios} may implement it.
 */
interface DatabaseCrashScenario {

    /** How long after the restart the workers must be granted a key again (the pools reconnect first). */
    Duration REACQUIRE_BOUND = Duration.ofSeconds(20);

    /**
     * Returns the running database server the workers use.
     * @return the server
     */
    DatabaseServer database();

    @Test
    default void t08ADatabaseCrashLosesNoFencingTellsHoldersOfTheirLossAndLocksAreGrantedAgainAfterTheRestart()
            throws Exception {
        // The hub, the workers and the run come from the chaos class this is mixed into.
        ChaosScenarios scenarios = (ChaosScenarios) this;
        Duration lease = ChaosScenarios.LEASE;
        List<RunResult> runs = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        List<Long> detections = new ArrayList<>();
        List<Long> downtimes = new ArrayList<>();
        for (int round = 0; round < ChaosScenarios.rounds(); round++) {
            RunResult result = scenarios.run("work=20 longEvery=2 longWork=" + lease.multipliedBy(2).toMillis()
                    + " hot=2 cold=10 hotPercent=70", Duration.ofSeconds(6), () -> {
                        ChaosScenarios.pause(Duration.ofMillis(1500));
                        scenarios.hub.mark("kill");
                        database().kill();
                        ChaosScenarios.pause(lease);
                        scenarios.hub.mark("restart");
                        database().restart();
                        scenarios.hub.mark("restarted");
                        ChaosScenarios.pause(lease.multipliedBy(2));
                    });
            assertThat(result.verdict().tokenOrderViolations()).as("tokens never go back across the crash:\n"
                    + result.verdict().describe()).isZero();
            scenarios.assertSafeWithFencing(result);
            HistoryEvent kill = result.marks("kill").get(0);
            HistoryEvent restart = result.marks("restart").get(0);
            HistoryEvent restarted = result.marks("restarted").get(0);
            downtimes.add(restarted.hubNanos() - kill.hubNanos());
            int told = 0;
            for (HistoryEvent granted : heldAt(result, kill)) {
                Optional<HistoryEvent> lost = result.firstAfter(kill, event -> event.kind() == Kind.LOST
                        && event.grant().equals(granted.grant()));
                Optional<HistoryEvent> released = result.firstAfter(kill, event -> event.kind() == Kind.RELEASED
                        && event.grant().equals(granted.grant()));
                if (lost.isPresent()) {
                    // Its last renewal began before the kill, and validity ends a lease after that at the latest.
                    assertThat(lost.get().hubNanos() - kill.hubNanos()).as("%s told of its loss within a lease of "
                            + "the kill", granted.grant()).isLessThan(lease.plusSeconds(1).toNanos());
                    detections.add(lost.get().hubNanos() - kill.hubNanos());
                    told++;
                }
                else {
                    // Without a loss signal the holder must have let go before its validity could have ended,
                    // which is a lease after its last renewal, begun before the kill, at the latest.
                    assertThat(released).as("%s, held at the kill, neither told of a loss nor released",
                            granted.grant()).isPresent();
                    assertThat(released.get().hubNanos() - kill.hubNanos()).as("%s released within a lease of the "
                            + "kill (else it had to be told of its loss)", granted.grant()).isLessThan(lease.toNanos());
                }
            }
            assertThat(told).as("holders inside a long section at the kill told of their loss").isPositive();
            assertThat(result.history()).as("nothing granted while the database was down").noneMatch(event ->
                    event.kind() == Kind.GRANTED && event.seq() > kill.seq() && event.seq() < restart.seq()
                            && event.hubNanos() - kill.hubNanos() > Duration.ofMillis(100).toNanos());
            HistoryEvent again = result.firstAfter(restarted, event -> event.kind() == Kind.GRANTED)
                    .orElseThrow(() -> new AssertionError("nothing granted after the restart:\n"
                            + result.verdict().describe()));
            assertThat(again.hubNanos() - restarted.hubNanos()).as("granted again after the restart")
                    .isLessThan(REACQUIRE_BOUND.toNanos());
            recoveries.add(again.hubNanos() - restarted.hubNanos());
            ChaosScenarios.pause(lease.plusSeconds(1));
            scenarios.assertNothingHeld(result.grantedKeys());
            runs.add(result);
        }
        ChaosReport.append(scenarios.backendName(), "T08/T17 SIGKILL the database for T, restart", runs, recoveries,
                detections, String.format("down %.1f s (kill to restarted); recovery = restarted to next grant; "
                        + "loss detected = kill to loss signal; tokens in order; nothing held after T + 1 s",
                        Verdict.percentileMillis(downtimes, 50) / 1000));
    }

    /** The grants held at a moment: granted before it, neither released nor lost by then. */
    private static List<HistoryEvent> heldAt(RunResult result, HistoryEvent moment) {
        List<HistoryEvent> held = new ArrayList<>();
        for (HistoryEvent event : result.history()) {
            if (event.seq() > moment.seq()) {
                break;
            }
            if (event.kind() == Kind.GRANTED) {
                held.add(event);
            }
            else if (event.kind() == Kind.RELEASED || event.kind() == Kind.LOST) {
                held.removeIf(granted -> granted.grant().equals(event.grant()));
            }
        }
        return held;
    }

}
