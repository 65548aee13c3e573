package io.github.distlock.etcd;

import java.time.Duration;

import io.etcd.jetcd.Client;
import io.github.distlock.testservers.EtcdServer;

/**
 * jetcd clients for the tests, with time limits short enough that a stopped server is noticed quickly.
 */
final class EtcdTestClients {

    private EtcdTestClients() {
    }

    static Client client(EtcdServer server) {
        return Client.builder()
            .endpoints(server.endpoint())
            .connectTimeout(Duration.ofSeconds(1))
            .retryMaxDuration(Duration.ofSeconds(1))
            .build();
    }

    static EtcdLeaseBackend backend(Client client, EtcdServer server) {
        return new EtcdLeaseBackend(client, EtcdLockOptions.defaults().withRequestTimeout(Duration.ofSeconds(2)),
                server.endpoint());
    }

}
