package io.github.distlock.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.distlock.chaos.HistoryEvent.Kind;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The faults that strike one worker JVM of a backend whose workers are separate processes (reliability T02, T03):
 * the holder is killed, or paused for three leases, at the moment it has read the resource inside its critical
 * section.
 */
abstract class WorkerFaultScenarios extends ChaosScenarios {

    @Test
    void t02AKilledHolderIsTakenOverAfterItsLeaseEndsAndWithinTheSlack() throws Exception {
        List<RunResult> runs = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            List<String> victims = new ArrayList<>();
            RunResult result = run("work=20 hot=1", LEASE.multipliedBy(3), () -> {
                pause(Duration.ofMillis(500));
                victims.add(strikeTheNextReaderOf(":hot0", victim -> {
                    this.hub.mark("kill");
                    this.workers.named(victim).kill();
                }));
            });
            assertSafeWithFencing(result);
            HistoryEvent kill = result.marks("kill").get(0);
            HistoryEvent killedRead = readStruckAt(result, kill, victims.get(0));
            HistoryEvent killedGrant = grantOf(result, killedRead);
            HistoryEvent takeover = result.firstAfter(kill, event -> event.kind() == Kind.GRANTED
                    && event.key().equals(killedRead.key())).orElseThrow(() -> new AssertionError(
                            "nobody took the key over after the kill:\n" + result.verdict().describe()));
            // Sections are 20 ms, so the killed lease was never renewed: the server expires it a lease after the grant.
            assertThat(takeover.hubNanos() - killedGrant.hubNanos()).as("takeover after the killed lease's end")
                    .isGreaterThan(LEASE.minus(REPORTING_SLACK).toNanos());
            assertThat(takeover.hubNanos() - kill.hubNanos()).as("takeover within the lease and the slack")
                    .isLessThan(LEASE.plus(TAKEOVER_SLACK).toNanos());
            recoveries.add(takeover.hubNanos() - kill.hubNanos());
            runs.add(result);
        }
        ChaosReport.append(backendName(), "T02 SIGKILL the holder", runs, recoveries, List.of(),
                "recovery = kill to next grant; bound T + " + TAKEOVER_SLACK.toMillis() + " ms");
    }

    @Test
    void t03AHolderPausedForThreeLeasesIsFencedOffAndLearnsItsLossOnResuming() throws Exception {
        List<RunResult> runs = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        List<Long> detections = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            List<String> victims = new ArrayList<>();
            RunResult result = run("work=20 hot=1", LEASE.multipliedBy(5), () -> {
                pause(Duration.ofMillis(500));
                String victim = strikeTheNextReaderOf(":hot0", paused -> {
                    this.hub.mark("pause");
                    this.workers.named(paused).pause();
                });
                victims.add(victim);
                pause(LEASE.multipliedBy(3));
                this.hub.mark("resume");
                this.workers.named(victim).resume();
            });
            assertSafeWithFencing(result);
            HistoryEvent paused = result.marks("pause").get(0);
            HistoryEvent resumed = result.marks("resume").get(0);
            HistoryEvent pausedRead = readStruckAt(result, paused, victims.get(0));
            HistoryEvent takeover = result.firstAfter(paused, event -> event.kind() == Kind.GRANTED
                    && event.key().equals(pausedRead.key())).orElseThrow();
            assertThat(takeover.seq()).as("taken over during the pause").isLessThan(resumed.seq());
            recoveries.add(takeover.hubNanos() - paused.hubNanos());
            HistoryEvent lost = result.firstAfter(paused, event -> event.kind() == Kind.LOST
                    && event.grant().equals(pausedRead.grant())).orElseThrow(() -> new AssertionError(
                            "the paused holder was never told of its loss:\n" + result.verdict().describe()));
            assertThat(lost.hubNanos() - resumed.hubNanos()).as("loss learnt within 1.5 s of resuming")
                    .isLessThan(Duration.ofMillis(1500).toNanos());
            detections.add(lost.hubNanos() - resumed.hubNanos());
            // The paused holder wrote after resuming, into a resource that had moved on: fenced off, not lost.
            assertThat(result.history()).as("the paused holder's late write").anyMatch(event -> event.grant()
                    .equals(pausedRead.grant()) && event.kind() == Kind.WRITE_REJECTED);
            assertThat(result.verdict().overlaps()).as("its section overlapped the next holder's").isPositive();
            runs.add(result);
        }
        ChaosReport.append(backendName(), "T03 SIGSTOP the holder for 3 T", runs, recoveries, detections,
                "loss detected = SIGCONT to loss signal; the late write is refused");
    }

}
