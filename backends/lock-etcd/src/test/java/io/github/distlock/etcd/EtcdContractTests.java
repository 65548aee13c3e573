package io.github.distlock.etcd;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.etcd.jetcd.Client;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.testkit.FencingLeaseBackendContractTests;
import io.github.distlock.testkit.ReleaseNotificationContract;
import io.github.distlock.testkit.SharedLeaseContract;
import io.github.distlock.testservers.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract, fencing, release notification and shared leases included, on a real one-member etcd started
 * for these tests. etcd counts lease time in whole seconds, so the short lease of the expiry tests is 1 s.
 */
class EtcdContractTests extends FencingLeaseBackendContractTests
        implements ReleaseNotificationContract, SharedLeaseContract {

    private static final List<Client> clients = new CopyOnWriteArrayList<>();

    private static EtcdServer server;

    @BeforeAll
    static void startServer() {
        server = EtcdServer.start();
    }

    @AfterAll
    static void stopServer() {
        clients.forEach(Client::close);
        clients.clear();
        server.close();
    }

    @Override
    protected FencingLeaseBackend createBackend() {
        Client client = EtcdTestClients.client(server);
        clients.add(client);
        return EtcdTestClients.backend(client, server);
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
