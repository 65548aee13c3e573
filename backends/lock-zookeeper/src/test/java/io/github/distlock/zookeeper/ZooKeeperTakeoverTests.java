package io.github.distlock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.testservers.ZooKeeperServer;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The takeover of a lease that ran out while its holder's session lives on (a holder whose release failed during
 * an outage, or whose renewals stopped), by several contenders at the same moment, on a real ZooKeeper server. This is
 * what every waiter does once a leader change has stopped a holder's release and renewals: they all find the same
 * expired node at once. And the grant markers that make the takeover safe: each goes with its lock node.
 */
class ZooKeeperTakeoverTests {

    private static final int CONTENDERS = 6;

    private static final int ROUNDS = 30;

    private static final Duration HOLDERS_LEASE = Duration.ofMillis(200);

    private static final Duration CONTENDERS_LEASE = Duration.ofSeconds(10);

    private static ZooKeeperServer server;

    @BeforeAll
    static void startServer() {
        server = ZooKeeperServer.start((int) ZooKeeperTestClients.MAX_SESSION.toMillis());
    }

    @AfterAll
    static void stopServer() {
        ZooKeeperTestClients.closeAll();
        server.close();
    }

    @Test
    void contendersTakingOverOneExpiredLeaseAtOnceGrantItToOneOfThem() throws Exception {
        ZooKeeperLeaseBackend holder = ZooKeeperTestClients.backend(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        List<ZooKeeperLeaseBackend> contenders = new ArrayList<>();
        for (int i = 0; i < CONTENDERS; i++) {
            contenders.add(ZooKeeperTestClients.backend(server.connectString(), ZooKeeperTestClients.LONG_SESSION));
        }
        ExecutorService threads = Executors.newFixedThreadPool(CONTENDERS);
        List<Integer> grantsPerRound = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String key = "takeover-" + round + "-" + System.nanoTime();
                // The holder is granted and then neither renews nor releases: its node outlives its lease.
                assertThat(holder.tryAcquire(key, "holder-" + round, HOLDERS_LEASE).isGranted()).isTrue();
                Thread.sleep(HOLDERS_LEASE.toMillis() + 100);
                CyclicBarrier start = new CyclicBarrier(CONTENDERS);
                List<Future<AcquireResult>> attempts = new ArrayList<>();
                for (int i = 0; i < CONTENDERS; i++) {
                    ZooKeeperLeaseBackend contender = contenders.get(i);
                    String owner = "contender-" + i + "-" + round;
                    attempts.add(threads.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return contender.tryAcquire(key, owner, CONTENDERS_LEASE);
                    }));
                }
                int grants = 0;
                for (Future<AcquireResult> attempt : attempts) {
                    if (attempt.get(30, TimeUnit.SECONDS).isGranted()) {
                        grants++;
                    }
                }
                grantsPerRound.add(grants);
            }
        }
        finally {
            threads.shutdownNow();
        }
        // At least one contender finds the lease expired and takes it; never two.
        assertThat(grantsPerRound).as("grants per round of simultaneous takeovers").containsOnly(1);
    }

    @Test
    void grantMarkersGoWithTheirLockNodesOnReleaseTakeoverAndSessionEnd() throws Exception {
        CuratorFramework holderClient = ZooKeeperTestClients.started(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        ZooKeeperLeaseBackend holder = ZooKeeperLeaseBackend.create(holderClient);
        ZooKeeperLeaseBackend other = ZooKeeperTestClients.backend(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        String prefix = "markers-" + System.nanoTime() + "-";
        assertThat(holder.tryAcquire(prefix + "released", "h1", CONTENDERS_LEASE).isGranted()).isTrue();
        assertThat(holder.tryAcquire(prefix + "taken-over", "h2", HOLDERS_LEASE).isGranted()).isTrue();
        assertThat(holder.tryAcquire(prefix + "session-end", "h3", CONTENDERS_LEASE).isGranted()).isTrue();
        assertThat(markers(holderClient, prefix)).hasSize(3);

        assertThat(holder.releaseIfOwner(prefix + "released", "h1")).isTrue();
        Thread.sleep(HOLDERS_LEASE.toMillis() + 100);
        assertThat(other.tryAcquire(prefix + "taken-over", "o2", CONTENDERS_LEASE).isGranted()).isTrue();
        assertThat(markers(holderClient, prefix)).as("markers after a release and a takeover")
            .containsExactlyInAnyOrder(marker(prefix + "session-end", "h3"), marker(prefix + "taken-over", "o2"));

        holderClient.close();
        assertThat(other.releaseIfOwner(prefix + "taken-over", "o2")).isTrue();
        ZooKeeperLeaseBackend observer = ZooKeeperTestClients.backend(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                observer.tryAcquire(prefix + "session-end", "o3", CONTENDERS_LEASE).isGranted()).isTrue());
        assertThat(observer.releaseIfOwner(prefix + "session-end", "o3")).isTrue();
        CuratorFramework reader = ZooKeeperTestClients.started(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        assertThat(markers(reader, prefix)).as("markers once every lease ended").isEmpty();
    }

    private static List<String> markers(CuratorFramework client, String prefix) throws Exception {
        return client.getChildren().forPath(ZooKeeperLockOptions.defaults().grantsPath()).stream()
            .filter(name -> name.startsWith(ZooKeeperLeaseBackend.LockNodeNames.encode(prefix)))
            .toList();
    }

    private static String marker(String key, String owner) {
        return ZooKeeperLeaseBackend.LockNodeNames.encode(key) + "~" + owner;
    }

}
