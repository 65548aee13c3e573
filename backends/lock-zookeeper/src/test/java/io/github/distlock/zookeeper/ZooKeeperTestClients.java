package io.github.distlock.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

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

    /**
     * Ends the client's session on the server as an expiry would: another connection joins the session and closes
     * it, so the server deletes its ephemeral nodes and the client learns that its session expired.
     */
    static void expireSession(CuratorFramework client, String connectString) throws Exception {
        ZooKeeper zooKeeper = client.getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper killer = new ZooKeeper(connectString, (int) LONG_SESSION.toMillis(), event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, zooKeeper.getSessionId(), zooKeeper.getSessionPasswd());
        if (!connected.await(CONNECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            killer.close();
            throw new IllegalStateException("Could not join the session to expire it");
        }
        killer.close();
    }

    static void closeAll() {
        clients.forEach(CuratorFramework::close);
        clients.clear();
    }

}
