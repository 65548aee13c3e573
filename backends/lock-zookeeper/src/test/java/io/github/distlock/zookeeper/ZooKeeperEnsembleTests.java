package io.github.distlock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.testkit.FencingLeaseBackendContractTests;
import io.github.distlock.testkit.KeyContention;
import io.github.distlock.testkit.ReleaseNotificationContract;
import io.github.distlock.testkit.SharedLeaseContract;
import io.github.distlock.testservers.ZooKeeperEnsemble;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backend on a real three-member ZooKeeper ensemble: the contract kit (fencing, release notification and shared
 * leases included), a leader killed while several engines contend for one key, and the loss of the quorum. Every test
 * leaves the three members running.
 */
class ZooKeeperEnsembleTests {

    /** A session the fault tests' clients can lose and regain in a few seconds. */
    private static final Duration SESSION = Duration.ofSeconds(4);

    private static final Duration LEASE = Duration.ofSeconds(2);

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static ZooKeeperEnsemble ensemble;

    private final List<LockEngine> engines = new ArrayList<>();


    @BeforeAll
    static void startEnsemble() {
        ensemble = ZooKeeperEnsemble.start(3, (int) ZooKeeperTestClients.MAX_SESSION.toMillis());
    }

    @AfterAll
    static void stopEnsemble() {
        ZooKeeperTestClients.closeAll();
        ensemble.close();
    }

    @AfterEach
    void closeEngines() {
        this.engines.forEach(LockEngine::close);
        this.engines.clear();
    }

    @Test
    void killedLeaderDuringContentionKeepsOneHolderAtATimeAndTokensIncreasing() throws Exception {
        // The checker sees the overlaps of workers that do not lock, so its zero below means something.
        assertThat(KeyContention.unlocked(6, Duration.ofMillis(300)).overlaps()).as("overlaps without the lock")
            .isPositive();

        List<LockEngine> contenders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            contenders.add(engine(ZooKeeperTestClients.backend(ensemble.connectString(), SESSION)));
        }
        int leader = ensemble.awaitLeader(PATIENCE);
        KeyContention.Outcome outcome = KeyContention.locked(contenders, 2, "leader-kill-" + System.nanoTime(), LEASE,
                Duration.ofSeconds(8), struck -> {
                    Thread.sleep(2000);
                    ensemble.kill(leader);
                    struck.run();
                    Thread.sleep(4000);
                    ensemble.restart(leader);
                });
        ensemble.awaitLeader(PATIENCE);

        assertThat(outcome.overlaps()).as("critical sections that overlapped").isZero();
        assertThat(outcome.tokens()).as("tokens in grant order").isNotEmpty().isSorted().doesNotHaveDuplicates();
        assertThat(outcome.grantsAfterFault()).as("grants after the leader was killed").isPositive();
        long firstEpoch = outcome.tokens().get(0) >>> 32;
        long lastEpoch = outcome.tokens().get(outcome.tokens().size() - 1) >>> 32;
        assertThat(lastEpoch).as("the zxid epoch moved on with the new leader").isGreaterThan(firstEpoch);
    }

    @Test
    void lostQuorumGrantsNothingTellsTheHolderAndLocksWorkAgainWithHigherTokensOnceItReturns() throws Exception {
        CuratorFramework holderClient = ZooKeeperTestClients.started(ensemble.connectString(), SESSION);
        ZooKeeperLeaseBackend holderBackend = ZooKeeperLeaseBackend.create(holderClient);
        ZooKeeperLeaseBackend other = ZooKeeperTestClients.backend(ensemble.connectString(), SESSION);
        LockEngine holder = engine(holderBackend);
        String key = "quorum-loss-" + System.nanoTime();
        Lease lease = holder.tryAcquire(LockRequest.of(key, LEASE)).orElseThrow();
        AtomicLong lostAt = new AtomicLong();
        lease.addLossListener((lost, reason) -> lostAt.set(System.nanoTime()));

        int leader = ensemble.awaitLeader(PATIENCE);
        int[] stopped = {leader % 3 + 1, (leader + 1) % 3 + 1};
        for (int member : stopped) {
            ensemble.kill(member);
        }
        // Any renewal that succeeded started before this, so the lease's validity ends at most a lease time later.
        long quorumLostAt = System.nanoTime();
        // Past the lease and the holder's session: a minority may neither grant the key nor expire the session.
        int grantsWithoutQuorum = 0;
        long until = System.nanoTime() + LEASE.plus(SESSION).toNanos();
        while (System.nanoTime() < until) {
            try {
                if (other.tryAcquire(key, "without-quorum", LEASE).isGranted()) {
                    grantsWithoutQuorum++;
                }
            }
            catch (ZooKeeperUnavailableException expected) {
                // The minority refuses to serve: a failed call, never a grant.
            }
            Thread.sleep(100);
        }
        assertThat(grantsWithoutQuorum).as("grants while the quorum was lost").isZero();
        assertThat(lostAt.get()).as("the holder learnt of its loss").isNotZero();
        assertThat(Duration.ofNanos(lostAt.get() - quorumLostAt)).as("loss signalled by the lease's validity end")
            .isLessThanOrEqualTo(LEASE);
        // Closed as the holder's code would on learning of the loss: a lost outer hold refuses a nested acquire.
        lease.release();

        for (int member : stopped) {
            ensemble.restart(member);
        }
        ensemble.awaitLeader(PATIENCE);
        AcquireResult after = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
            .until(() -> other.tryAcquire(key, "after-quorum", LEASE), AcquireResult::isGranted);
        assertThat(after.fencingToken().getAsLong()).isGreaterThan(lease.fencingToken().getAsLong());
        assertThat(other.releaseIfOwner(key, "after-quorum")).isTrue();
        await().atMost(PATIENCE).until(() -> holderClient.getZookeeperClient().isConnected());
        try (Lease again = holder.acquire(LockRequest.of(key, LEASE).withWaitTime(PATIENCE))) {
            assertThat(again.fencingToken().getAsLong()).isGreaterThan(after.fencingToken().getAsLong());
        }
    }

    private LockEngine engine(ZooKeeperLeaseBackend backend) {
        LockEngine engine = new LockEngine(backend);
        this.engines.add(engine);
        return engine;
    }

    @Nested
    class Contract extends FencingLeaseBackendContractTests
            implements ReleaseNotificationContract, SharedLeaseContract {

        @Override
        protected FencingLeaseBackend createBackend() {
            return ZooKeeperTestClients.backend(ensemble.connectString(), ZooKeeperTestClients.LONG_SESSION);
        }

    }

}
