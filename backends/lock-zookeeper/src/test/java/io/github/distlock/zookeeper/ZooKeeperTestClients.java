package io.github.distlock.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;

/**
 * Curator clients for the tests, each with its own session, closed together by {@link #closeAll()}. The timeouts
 * are in one place here.
 */
final class ZooKeeperTestClients {

    /** The session of the contract tests' clients: at least the kit's longest lease (30 s). */
    static final Duration LONG_SESSION = Duration.ofSeconds(40);

    /** The server's longest session timeout. */
    static final Duration MAX_SESSION = Duration.ofSeconds(60);

    /** How long a client waits for a connection. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    private static final List<CuratorFramework> clients = new CopyOnWriteArrayList<>();

    private ZooKeeperTestClients() {
    }

    static CuratorFramework started(String connectString, Duration sessionTimeout) {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) CONNECTION_TIMEOUT.toMillis())
                .retryPolicy(new RetryNTimes(1, 100)).build();
        client.start();
        clients.add(client);
        return client;
    }

    static ZooKeeperLeaseBackend backend(String connectString, Duration sessionTimeout) {
        return ZooKeeperLeaseBackend.create(started(connectString, sessionTimeout));
    }

    static void closeAll() {
        clients.forEach(CuratorFramework::close);
        clients.clear();
    }

}
