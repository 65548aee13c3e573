package io.github.distlock.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.distlock.chaos.HistoryEvent.Kind;
import io.github.distlock.testservers.LocalProcess;
import io.github.distlock.testservers.RedisSentinelGroup;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reliability T09 on Redis Sentinel: the master is SIGKILLed right after a grant of the hot key while that holder is
 * inside its critical section, the sentinels promote the replica, and the old master comes back as its replica.
 * Each test runs on a group of its own (the failover changes it for good) with the replica replicating through a
 * proxy, so that replication can be stalled; and runs one round in every mode, a group's start and failover taking
 * most of a round's half minute.
 * <ul>
 * <li>With asynchronous replication, replication stalls a lease before the kill (a lagging replica): the grant
 * struck at never reached the replica, which, promoted, grants the key again while its holder still holds it. The
 * checker must see the double grant and fencing must stop it.</li>
 * <li>With one replica's acknowledgement required, replication stalls at the kill: the struck grant had been
 * acknowledged, so the promoted replica has it, and no acquire succeeds until a replica can acknowledge again.</li>
 * </ul>
 * The lease is longer than a failover here ({@link #LEASE}), so that the holder's lease is still valid when the
 * promoted replica answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SentinelFailoverChaosTests {

    /** The lease of these runs: longer than a failover (down-after 1 s, then the election and promotion). */
    static final Duration LEASE = Duration.ofSeconds(8);

    /** How long the sentinels may take to promote the replica, and the old master to come back as a replica. */
    static final Duration FAILOVER_BOUND = Duration.ofSeconds(40);

    /** How long after the kill a key must be granted again. */
    static final Duration RECOVERY_BOUND = Duration.ofSeconds(60);

    private static final String MASTER = "chaos";

    private Hub hub;

    private Path directory;

    @BeforeAll
    void startHub() throws Exception {
        this.directory = Files.createTempDirectory("distlock-chaos-failover-");
        this.hub = Hub.start();
    }

    @AfterAll
    void stopHub() {
        if (this.hub != null) {
            this.hub.close();
        }
        LocalProcess.deleteRecursively(this.directory);
    }

    @Test
    void t09WithAsynchronousReplicationThePromotedReplicaGrantsAHeldKeyAgainAndFencingStopsTheDamage()
            throws Exception {
        Failover failover = failover("sentinel", true);
        RunResult result = failover.result;
        assertThat(result.verdict().safeWithFencing()).as("every overlap fenced off, no stale write accepted, no "
                + "lost update, tokens in order:\n" + result.verdict().describe()).isTrue();
        assertThat(result.verdict().staleAccepted()).isZero();
        assertThat(result.verdict().lostUpdates()).isZero();
        assertThat(failover.anotherReader).as("another holder read the key while the struck one held it").isTrue();
        assertThat(result.verdict().overlaps()).as("the double grant, recorded by the checker:\n"
                + result.verdict().describe()).isPositive();
        HistoryEvent again = failover.nextGrantOfTheKey().orElseThrow(() -> new AssertionError(
                "nobody was granted the key after the failover:\n" + result.verdict().describe()));
        assertThat(again.hubNanos() - failover.kill().hubNanos()).as("granted again after the failover")
                .isLessThan(RECOVERY_BOUND.toNanos());
        assertThat(result.history()).as("the struck holder's late write").anyMatch(event -> event.grant()
                .equals(failover.struckGrant().grant()) && event.kind() == Kind.WRITE_REJECTED);
        ChaosReport.append("Redis Sentinel", "T09 master SIGKILLed before replicating a grant, replica promoted",
                List.of(result), List.of(again.hubNanos() - failover.kill().hubNanos()), failover.detections(),
                "Redis failover with asynchronous replication can double-grant: replication stalled a lease before "
                        + "the kill, the promoted replica granted the held key again " + failover.story(again)
                        + "; fencing refused the old holder's write, so no damage; recovery = kill to next grant; "
                        + "the old master restarted (rejoining as a replica not awaited); 1 round (a group per run)");
    }

    @Test
    void t09WithReplicaAcknowledgementThePromotedReplicaKeepsTheLockAndAcquiresFailUntilAReplicaConfirms()
            throws Exception {
        Failover failover = failover("sentinel-ack", false);
        RunResult result = failover.result;
        assertThat(result.verdict().safeWithFencing()).as("every overlap fenced off, no stale write accepted, no "
                + "lost update, tokens in order:\n" + result.verdict().describe()).isTrue();
        assertThat(result.verdict().unfencedOverlaps()).isZero();
        HistoryEvent kill = failover.kill();
        HistoryEvent replicaBack = failover.mark("replica back");
        // A grant acknowledged before the kill may be reported just after it; none may come later without a replica.
        assertThat(result.history()).as("granted while no replica could acknowledge").noneMatch(event -> event.kind()
                == Kind.GRANTED && event.seq() > kill.seq() && event.seq() < replicaBack.seq()
                && event.hubNanos() - kill.hubNanos() > WorkerBackend.CALL_TIMEOUT.toNanos());
        HistoryEvent again = result.firstAfter(kill, event -> event.kind() == Kind.GRANTED
                && event.hubNanos() - kill.hubNanos() > WorkerBackend.CALL_TIMEOUT.toNanos())
                .orElseThrow(() -> new AssertionError("nothing granted after the failover:\n"
                        + result.verdict().describe()));
        assertThat(again.hubNanos() - kill.hubNanos()).as("granted again once a replica acknowledges")
                .isLessThan(RECOVERY_BOUND.toNanos());
        long refused = result.history().stream().filter(event -> event.kind() == Kind.NOT_ACQUIRED
                && event.seq() > kill.seq() && event.seq() < replicaBack.seq()).count();
        Optional<HistoryEvent> struckLost = failover.lostOfTheStruckGrant();
        ChaosReport.append("Redis Sentinel + WAIT 1", "T09 master SIGKILLed right after a grant, replica promoted",
                List.of(result), List.of(again.hubNanos() - kill.hubNanos()), failover.detections(),
                "every grant acknowledged by the replica: the promoted replica had the struck holder's lease ("
                        + (struckLost.isEmpty() ? "it kept it through the failover"
                                : "it was told of its loss " + millis(struckLost.get(), kill) + " ms after the kill")
                        + "); " + refused + " acquires failed and none succeeded until the old master was back as a "
                        + "replica (" + millis(replicaBack, kill) + " ms after the kill); next grant " + millis(again,
                                kill) + " ms after the kill, once the struck holder, kept in its section until "
                        + millis(failover.mark("let go"), kill) + " ms, let go; overlaps " + result.verdict().overlaps()
                        + "; 1 round (a group per run)");
    }

    /**
     * Runs workers on a fresh group, stalls replication (a lease before the kill, or at it), kills the master at
     * the next read of the hot key, holds that reader inside its section through the failover and restarts the old
     * master; where acquires need a replica's acknowledgement, waits until the old master is the promoted one's
     * replica, else until another holder has read the key.
     */
    private Failover failover(String backend, boolean stallBeforeTheGrant) throws Exception {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicationThroughProxy(MASTER);
                Workers workers = Workers.start(this.hub, 3, 1, List.of(backend, MASTER,
                        SentinelChaosTests.sentinels(group)), Map.of(), this.directory)) {
            int masterPort = group.initialMaster().port();
            List<String> victims = new ArrayList<>();
            List<Boolean> anotherReader = new ArrayList<>();
            RunResult result = ChaosScenarios.run(this.hub, workers, "lease=" + LEASE.toMillis() + " wait="
                    + LEASE.toMillis() + " work=20 hot=1", Duration.ZERO, () -> {
                        ChaosScenarios.pause(Duration.ofSeconds(1));
                        if (stallBeforeTheGrant) {
                            this.hub.mark("replication stalled");
                            group.replicationLink().stallOpenConnections();
                            // Whatever the replica last saw of the key has expired there by the kill.
                            ChaosScenarios.pause(LEASE.plusMillis(500));
                        }
                        try (HeldStrike strike = HeldStrike.arm(this.hub, ":hot0", reader -> {
                            group.replicationLink().stallOpenConnections();
                            this.hub.mark("kill");
                            group.initialMaster().kill();
                        })) {
                            String victim = strike.awaitVictim(Duration.ofSeconds(20));
                            assertThat(victim).as("a worker read the hot key").isNotNull();
                            victims.add(victim);
                            awaitTrue("the replica promoted", () -> group.currentMasterPort() != masterPort);
                            this.hub.mark("promoted");
                            group.initialMaster().restart();
                            this.hub.mark("old master restarted");
                            if (!stallBeforeTheGrant) {
                                // Acquires need the replica's acknowledgement; sentinels take the old master back
                                // as a replica several seconds after it answers again.
                                awaitTrue("the old master back as the replica", () -> group.initialReplica()
                                        .info("replication").contains("connected_slaves:1"));
                                this.hub.mark("replica back");
                            }
                            anotherReader.add(strike.awaitAnotherReader(stallBeforeTheGrant
                                    ? FAILOVER_BOUND : Duration.ofSeconds(2)));
                            // Long enough for a renewal of the struck lease on the promoted replica.
                            ChaosScenarios.pause(LEASE.dividedBy(2));
                        }
                        this.hub.mark("let go");
                        ChaosScenarios.pause(Duration.ofSeconds(3));
                    });
            return new Failover(result, victims.get(0), anotherReader.get(0));
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + FAILOVER_BOUND.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            }
            catch (RuntimeException ex) {
                // A server still starting or a sentinel busy: asked again.
            }
            ChaosScenarios.pause(Duration.ofMillis(100));
        }
        throw new AssertionError("Not within " + FAILOVER_BOUND + ": " + what);
    }

    private static long millis(HistoryEvent event, HistoryEvent since) {
        return (event.hubNanos() - since.hubNanos()) / 1_000_000;
    }

    /** One failover run and what the scenarios measure in it. */
    private record Failover(RunResult result, String victim, boolean anotherReader) {

        HistoryEvent mark(String name) {
            return this.result.marks(name).get(0);
        }

        HistoryEvent kill() {
            return mark("kill");
        }

        HistoryEvent struckGrant() {
            return ChaosScenarios.grantOf(this.result, ChaosScenarios.readStruckAt(this.result, kill(), this.victim));
        }

        Optional<HistoryEvent> nextGrantOfTheKey() {
            HistoryEvent struck = struckGrant();
            return this.result.firstAfter(kill(), event -> event.kind() == Kind.GRANTED
                    && event.key().equals(struck.key()) && !event.grant().equals(struck.grant()));
        }

        Optional<HistoryEvent> lostOfTheStruckGrant() {
            String grant = struckGrant().grant();
            return this.result.firstAfter(kill(), event -> event.kind() == Kind.LOST && event.grant().equals(grant));
        }

        List<Long> detections() {
            return lostOfTheStruckGrant().map(lost -> List.of(lost.hubNanos() - kill().hubNanos()))
                    .orElse(List.of());
        }

        /** When the key was granted again and when its holder learnt of its loss. */
        String story(HistoryEvent again) {
            HistoryEvent kill = kill();
            Optional<HistoryEvent> lost = lostOfTheStruckGrant();
            String told = lost.map(event -> (event.seq() > again.seq())
                    ? "the holder, still within its lease, was told of its loss only " + millis(event, again)
                            + " ms later"
                    : "the holder had been told of its loss " + millis(again, event) + " ms before")
                    .orElse("the holder was never told of its loss before it let go");
            return millis(again, kill) + " ms after the kill (promoted " + millis(mark("promoted"), kill)
                    + " ms after it); " + told;
        }

    }

}
