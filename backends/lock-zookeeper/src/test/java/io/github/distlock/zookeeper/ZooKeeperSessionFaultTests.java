package io.github.distlock.zookeeper;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.testservers.TcpProxy;
import io.github.distlock.testservers.ZooKeeperServer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Session expiry, connection loss and server restart on a real ZooKeeper server: the failures users of Curator's own
 * recipes reported (CURATOR-206: a holder that kept believing it held a lock after its session expired, and whose
 * release then went quietly; CURATOR-604: two holders after a session was replaced during an acquire; CURATOR-678:
 * a release during connection loss that wedged later acquires).
 */
class ZooKeeperSessionFaultTests {

    private static final Duration SHORT_SESSION = Duration.ofSeconds(2);

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static ZooKeeperServer server;

    private LockEngine engine;

    @BeforeAll
    static void startServer() {
        server = ZooKeeperServer.start((int) ZooKeeperTestClients.MAX_SESSION.toMillis());
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeClients() {
        if (this.engine != null) {
            this.engine.close();
        }
        ZooKeeperTestClients.closeAll();
    }

    @Test
    void expiredSessionLosesTheLeaseAndItsStaleReleaseLeavesTheNewHoldersNode() throws Exception {
        CuratorFramework holderClient = ZooKeeperTestClients.started(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        ZooKeeperLeaseBackend holderBackend = ZooKeeperLeaseBackend.create(holderClient);
        ZooKeeperLeaseBackend other = ZooKeeperTestClients.backend(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        String key = "session-expiry-" + System.nanoTime();
        Duration leaseTime = Duration.ofSeconds(3);
        this.engine = new LockEngine(holderBackend);
        Lease lease = this.engine.tryAcquire(LockRequest.of(key, leaseTime)).orElseThrow();
        AtomicLong lostAt = new AtomicLong();
        lease.addLossListener((lost, reason) -> lostAt.set(System.nanoTime()));

        long expiredAt = System.nanoTime();
        ZooKeeperTestClients.expireSession(holderClient, server.connectString());
        String newOwner = "new-owner-" + System.nanoTime();
        AcquireResult newGrant = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> other.tryAcquire(key, newOwner, leaseTime), AcquireResult::isGranted);

        await().atMost(PATIENCE).until(() -> lostAt.get() != 0);
        assertThat(Duration.ofNanos(lostAt.get() - expiredAt)).as("time for the holder to learn of its loss")
                .isLessThanOrEqualTo(leaseTime);
        assertThat(lease.isHeld()).isFalse();
        assertThat(newGrant.fencingToken().getAsLong()).isGreaterThan(lease.fencingToken().getAsLong());
        assertThat(holderBackend.renewIfOwner(key, lease.ownerToken(), leaseTime)).as("stale renewal").isFalse();
        assertThat(holderBackend.releaseIfOwner(key, lease.ownerToken())).as("stale release").isFalse();
        assertThat(other.renewIfOwner(key, newOwner, leaseTime)).as("the new holder keeps the key").isTrue();
        assertThat(other.releaseIfOwner(key, newOwner)).isTrue();
    }

    @Test
    void holderCutOffFromTheServerLearnsOfItsLossBeforeAnotherOwnerIsGranted() throws Exception {
        TcpProxy proxy = TcpProxy.start(server.port());
        CuratorFramework holderClient = ZooKeeperTestClients.started("127.0.0.1:" + proxy.port(), SHORT_SESSION);
        ZooKeeperLeaseBackend holderBackend = ZooKeeperLeaseBackend.create(holderClient);
        ZooKeeperLeaseBackend other = ZooKeeperTestClients.backend(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        String key = "cut-off-" + System.nanoTime();
        // As long as the session: the longest lease the backend accepts on it.
        Duration leaseTime = holderBackend.sessionTimeout();
        this.engine = new LockEngine(holderBackend);
        Lease lease = this.engine.tryAcquire(LockRequest.of(key, leaseTime)).orElseThrow();
        AtomicLong lostAt = new AtomicLong();
        lease.addLossListener((lost, reason) -> lostAt.set(System.nanoTime()));

        // No more traffic and no reconnection: the server expires the session after its timeout.
        proxy.close();
        String newOwner = "new-owner-" + System.nanoTime();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                .until(() -> other.tryAcquire(key, newOwner, leaseTime), AcquireResult::isGranted);
        long grantedAt = System.nanoTime();

        assertThat(lostAt.get()).as("the holder learnt of its loss").isNotZero();
        assertThat(lostAt.get() - grantedAt).as("loss signalled before the new grant").isNegative();
        assertThat(other.releaseIfOwner(key, newOwner)).isTrue();
    }

    @Test
    void restartedServerKeepsTheHoldersSessionAndTokensKeepIncreasing() {
        ZooKeeperLeaseBackend backend = ZooKeeperTestClients.backend(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        String key = "restart-" + System.nanoTime();
        Duration leaseTime = Duration.ofSeconds(20);
        AcquireResult before = backend.tryAcquire(key, "before-restart", leaseTime);
        assertThat(before.isGranted()).isTrue();

        server.restart();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> backend.renewIfOwner(key, "before-restart", leaseTime));
        assertThat(backend.tryAcquire(key, "someone-else", leaseTime).isGranted())
                .as("the lease held across the restart").isFalse();
        assertThat(backend.releaseIfOwner(key, "before-restart")).isTrue();

        AcquireResult after = backend.tryAcquire(key, "after-restart", leaseTime);
        assertThat(after.isGranted()).isTrue();
        assertThat(after.fencingToken().getAsLong()).isGreaterThan(before.fencingToken().getAsLong());
        assertThat(backend.releaseIfOwner(key, "after-restart")).isTrue();
    }

    /**
     * CURATOR-604: a session that expired and was replaced while its client waited in an acquire let Curator's mutex
     * believe it held the lock beside another holder. Here the waiter's watch is re-armed in the new session, it is
     * granted only after the holder's release, its node belongs to the new session, and it is the only holder.
     */
    @Test
    void sessionReplacedWhileWaitingGrantsTheWaiterOnlyAfterTheReleaseAndInItsNewSession() throws Exception {
        CuratorFramework waiterClient = ZooKeeperTestClients.started(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        ZooKeeperLeaseBackend waiterBackend = ZooKeeperLeaseBackend.create(waiterClient);
        ZooKeeperLeaseBackend holder = ZooKeeperTestClients.backend(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        String key = "replaced-session-" + System.nanoTime();
        Duration leaseTime = Duration.ofSeconds(10);
        AcquireResult held = holder.tryAcquire(key, "holder", leaseTime);
        assertThat(held.isGranted()).isTrue();
        this.engine = new LockEngine(waiterBackend);
        // An attempt that falls into the expiry fails closed (LockUnavailableException); the waiter then tries again,
        // as an application would.
        CompletableFuture<Lease> waiting = CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (true) {
                try {
                    return this.engine.acquire(LockRequest.of(key, leaseTime).withWaitTime(PATIENCE));
                }
                catch (LockUnavailableException ex) {
                    if (System.nanoTime() > deadline) {
                        throw ex;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        });
        long firstSession = waiterClient.getZookeeperClient().getZooKeeper().getSessionId();

        ZooKeeperTestClients.expireSession(waiterClient, server.connectString());
        await().atMost(PATIENCE).until(() -> waiterClient.getZookeeperClient().isConnected()
                && waiterClient.getZookeeperClient().getZooKeeper().getSessionId() != firstSession);
        assertThat(waiting).as("still waiting after the session was replaced").isNotDone();
        assertThat(holder.renewIfOwner(key, "holder", leaseTime)).as("the holder keeps the key").isTrue();

        assertThat(holder.releaseIfOwner(key, "holder")).isTrue();
        Lease lease = waiting.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(lease.fencingToken().getAsLong()).isGreaterThan(held.fencingToken().getAsLong());
        Stat node = waiterClient.checkExists()
            .forPath(waiterBackend.options().locksPath() + "/" + ZooKeeperLeaseBackend.LockNodeNames.encode(key));
        assertThat(node.getEphemeralOwner()).as("the node's session")
            .isEqualTo(waiterClient.getZookeeperClient().getZooKeeper().getSessionId());
        assertThat(holder.tryAcquire(key, "second-holder", leaseTime).isGranted()).as("a second holder").isFalse();
        lease.release();
        assertThat(holder.tryAcquire(key, "after-release", leaseTime).isGranted()).isTrue();
        assertThat(holder.releaseIfOwner(key, "after-release")).isTrue();
    }

    /**
     * CURATOR-678: a release attempted while the connection was lost wedged every later acquire of Curator's mutex.
     * Here the failed release leaves the node to run out with its lease, and the same engine then takes the key, and
     * another key at once, as usual.
     */
    @Test
    void releaseDuringConnectionLossLeavesLaterAcquiresWorking() throws Exception {
        CuratorFramework client = ZooKeeperTestClients.started(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        this.engine = new LockEngine(ZooKeeperLeaseBackend.create(client));
        String key = "release-while-disconnected-" + System.nanoTime();
        Duration leaseTime = Duration.ofSeconds(2);
        Lease lease = this.engine.tryAcquire(LockRequest.of(key, leaseTime)).orElseThrow();

        server.stop();
        await().atMost(PATIENCE).until(() -> !client.getZookeeperClient().isConnected());
        lease.release();
        assertThat(lease.isHeld()).isFalse();
        server.restart();
        await().atMost(PATIENCE).until(() -> client.getZookeeperClient().isConnected());

        try (Lease other = this.engine.acquire(LockRequest.of(key + "-other", leaseTime).withWaitTime(PATIENCE))) {
            assertThat(other.isHeld()).isTrue();
        }
        for (int round = 0; round < 3; round++) {
            try (Lease again = this.engine.acquire(LockRequest.of(key, leaseTime).withWaitTime(PATIENCE))) {
                assertThat(again.fencingToken().getAsLong()).isGreaterThan(lease.fencingToken().getAsLong());
            }
        }
    }

}
