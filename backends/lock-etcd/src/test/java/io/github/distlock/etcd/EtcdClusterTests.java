package io.github.distlock.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.etcd.jetcd.Client;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.testkit.FencingLeaseBackendContractTests;
import io.github.distlock.testkit.KeyContention;
import io.github.distlock.testkit.ReleaseNotificationContract;
import io.github.distlock.testkit.SharedLeaseContract;
import io.github.distlock.testservers.EtcdCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backend on a real three-member etcd cluster (three etcd processes on loopback ports): the contract kit
 * (fencing, release notification and shared leases included), a leader killed while several engines contend for one key, and the
 * loss of the quorum. Every test leaves the three members running.
 */
class EtcdClusterTests {

    private static final Duration LEASE = Duration.ofSeconds(2);

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final List<Client> clients = new CopyOnWriteArrayList<>();

    private static EtcdCluster cluster;

    private final List<LockEngine> engines = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = EtcdCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        clients.forEach(Client::close);
        clients.clear();
        cluster.close();
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
            contenders.add(engine(newBackend()));
        }
        int leader = cluster.awaitLeader(PATIENCE);
        KeyContention.Outcome outcome = KeyContention.locked(contenders, 2, "leader-kill-" + System.nanoTime(), LEASE,
                Duration.ofSeconds(8), struck -> {
                    Thread.sleep(2000);
                    cluster.kill(leader);
                    struck.run();
                    Thread.sleep(4000);
                    cluster.restart(leader);
                });
        cluster.awaitLeader(PATIENCE);

        assertThat(outcome.overlaps()).as("critical sections that overlapped").isZero();
        assertThat(outcome.tokens()).as("tokens in grant order").isNotEmpty().isSorted().doesNotHaveDuplicates();
        assertThat(outcome.grantsAfterFault()).as("grants after the leader was killed").isPositive();
    }

    @Test
    void lostQuorumGrantsNothingTellsTheHolderAndLocksWorkAgainWithHigherTokensOnceItReturns() throws Exception {
        EtcdLeaseBackend other = newBackend();
        LockEngine holder = engine(newBackend());
        String key = "quorum-loss-" + System.nanoTime();
        Lease lease = holder.tryAcquire(LockRequest.of(key, LEASE)).orElseThrow();
        AtomicLong lostAt = new AtomicLong();
        lease.addLossListener((lost, reason) -> lostAt.set(System.nanoTime()));

        int leader = cluster.awaitLeader(PATIENCE);
        int[] stopped = {leader % 3 + 1, (leader + 1) % 3 + 1};
        for (int member : stopped) {
            cluster.kill(member);
        }
        // Any renewal that succeeded started before this, so the lease's validity ends at most a lease time later.
        long quorumLostAt = System.nanoTime();
        int grantsWithoutQuorum = 0;
        long until = System.nanoTime() + LEASE.multipliedBy(3).toNanos();
        while (System.nanoTime() < until) {
            try {
                if (other.tryAcquire(key, "without-quorum", LEASE).isGranted()) {
                    grantsWithoutQuorum++;
                }
            }
            catch (EtcdUnavailableException expected) {
                // A minority cannot commit: a failed call, never a grant.
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
            cluster.restart(member);
        }
        cluster.awaitLeader(PATIENCE);
        AcquireResult after = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
            .until(() -> other.tryAcquire(key, "after-quorum", LEASE), AcquireResult::isGranted);
        assertThat(after.fencingToken().getAsLong()).isGreaterThan(lease.fencingToken().getAsLong());
        assertThat(other.releaseIfOwner(key, "after-quorum")).isTrue();
        Lease again = await().atMost(PATIENCE).ignoreException(LockUnavailableException.class)
            .until(() -> holder.acquire(LockRequest.of(key, LEASE).withWaitTime(PATIENCE)), held -> true);
        try (again) {
            assertThat(again.fencingToken().getAsLong()).isGreaterThan(after.fencingToken().getAsLong());
        }
    }

    private static EtcdLeaseBackend newBackend() {
        Client client = Client.builder()
            .endpoints(cluster.endpoints().toArray(String[]::new))
            .connectTimeout(Duration.ofSeconds(1))
            .retryMaxDuration(Duration.ofSeconds(1))
            .build();
        clients.add(client);
        return new EtcdLeaseBackend(client, EtcdLockOptions.defaults().withRequestTimeout(Duration.ofSeconds(2)),
                String.join(",", cluster.endpoints()));
    }

    private LockEngine engine(EtcdLeaseBackend backend) {
        LockEngine engine = new LockEngine(backend);
        this.engines.add(engine);
        return engine;
    }

    @Nested
    class Contract extends FencingLeaseBackendContractTests
            implements ReleaseNotificationContract, SharedLeaseContract {

        @Override
        protected FencingLeaseBackend createBackend() {
            return newBackend();
        }

        @Override
        protected Duration shortLease() {
            return Duration.ofSeconds(1);
        }

        @Override
        public Duration sharedShortLease() {
            return Duration.ofSeconds(1);
        }

    }

}
