package io.github.distlock.zookeeper;

import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.testkit.FencingLeaseBackendContractTests;
import io.github.distlock.testkit.ReleaseNotificationContract;
import io.github.distlock.testkit.SharedLeaseContract;
import io.github.distlock.testservers.ZooKeeperServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract, fencing, release notification and shared leases included, on a real ZooKeeper server started
 * for these tests; each test's backend has a Curator client (and session) of its own.
 */
class ZooKeeperContractTests extends FencingLeaseBackendContractTests
        implements ReleaseNotificationContract, SharedLeaseContract {

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

    @Override
    protected FencingLeaseBackend createBackend() {
        return ZooKeeperTestClients.backend(server.connectString(), ZooKeeperTestClients.LONG_SESSION);
    }

}
