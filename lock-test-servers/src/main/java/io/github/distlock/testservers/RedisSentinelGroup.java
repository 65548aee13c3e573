package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import redis.clients.jedis.Jedis;

/**
 * A master, one replica and three sentinels (quorum two) on free loopback ports, for failover tests. Sentinels
 * detect a dead master after {@link #DOWN_AFTER} and promote the replica. Started by
 * {@link #startWithReplicationThroughProxy}, the replica replicates through a {@link TcpProxy}, so that a test can
 * stall replication and kill the master before the replica has its latest writes.
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class RedisSentinelGroup implements AutoCloseable {

    /** How long sentinels wait before they consider the master down. */
    public static final Duration DOWN_AFTER = Duration.ofMillis(1000);

    private static final Duration SENTINEL_TIMEOUT = Duration.ofSeconds(2);

    private final String masterName;

    private final RedisServer master;

    private final RedisServer replica;

    private final List<LocalProcess> sentinels = new ArrayList<>();

    private final List<Integer> sentinelPorts = new ArrayList<>();

    private final Path directory;

    private final @Nullable TcpProxy replicationLink;

    private RedisSentinelGroup(String masterName, RedisServer master, RedisServer replica, Path directory,
            @Nullable TcpProxy replicationLink) {
        this.masterName = masterName;
        this.master = master;
        this.replica = replica;
        this.directory = directory;
        this.replicationLink = replicationLink;
    }

    /**
     * Starts the group and waits until every sentinel knows the master and its replica.
     * @param masterName the name sentinels monitor the master under
     * @return the running group
     */
    public static RedisSentinelGroup start(String masterName) {
        return start(masterName, false);
    }

    /**
     * Starts the group with the replica replicating from the master through a {@link TcpProxy} (see
     * {@link #replicationLink()}); sentinels watch both servers directly. When the master dies, sentinels configure
     * it, once back, as a replica of the promoted one, directly.
     * @param masterName the name sentinels monitor the master under
     * @return the running group
     */
    public static RedisSentinelGroup startWithReplicationThroughProxy(String masterName) {
        return start(masterName, true);
    }

    private static RedisSentinelGroup start(String masterName, boolean proxied) {
        RedisServer master = RedisServer.start();
        RedisServer replica = null;
        TcpProxy link = null;
        RedisSentinelGroup group = null;
        try {
            link = proxied ? TcpProxy.start(master.port()) : null;
            int replicatesFrom = (link != null) ? link.port() : master.port();
            replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(replicatesFrom));
            group = new RedisSentinelGroup(masterName, master, replica, Files.createTempDirectory("distlock-sentinel"),
                    link);
            for (int i = 0; i < 3; i++) {
                group.startSentinel();
            }
            group.awaitSentinelsSeeReplica();
            return group;
        }
        catch (IOException | RuntimeException ex) {
            if (group != null) {
                group.close();
            }
            else {
                master.close();
                if (replica != null) {
                    replica.close();
                }
                if (link != null) {
                    link.close();
                }
            }
            if (ex instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) ex;
        }
    }

    /**
     * Returns the name sentinels monitor the master under.
     * @return the master name
     */
    public String masterName() {
        return this.masterName;
    }

    /**
     * Returns the sentinels' ports.
     * @return the ports
     */
    public List<Integer> sentinelPorts() {
        return List.copyOf(this.sentinelPorts);
    }

    /**
     * Returns the server that was started as master.
     * @return the initial master
     */
    public RedisServer initialMaster() {
        return this.master;
    }

    /**
     * Returns the server that was started as replica.
     * @return the initial replica
     */
    public RedisServer initialReplica() {
        return this.replica;
    }

    /**
     * Returns the proxy the initial replica replicates through, which can stall replication (for example
     * {@link TcpProxy#stallOpenConnections()}).
     * @return the proxy
     * @throws IllegalStateException if the group was not started with
     *     {@link #startWithReplicationThroughProxy}
     */
    public TcpProxy replicationLink() {
        if (this.replicationLink == null) {
            throw new IllegalStateException("Only a group started with startWithReplicationThroughProxy() has a "
                    + "replication proxy");
        }
        return this.replicationLink;
    }

    /**
     * Asks a sentinel which port the master currently has.
     * @return the current master's port
     */
    public int currentMasterPort() {
        try (Jedis sentinel = RedisServer.connect(this.sentinelPorts.get(0), SENTINEL_TIMEOUT)) {
            return Integer.parseInt(sentinel.sentinelGetMasterAddrByName(this.masterName).get(1));
        }
    }

    @Override
    public void close() {
        this.sentinels.forEach(LocalProcess::kill);
        this.master.close();
        this.replica.close();
        if (this.replicationLink != null) {
            this.replicationLink.close();
        }
        LocalProcess.deleteRecursively(this.directory);
    }

    private void startSentinel() throws IOException {
        int port = FreePorts.next();
        Path config = this.directory.resolve("sentinel-" + port + ".conf");
        Files.writeString(config, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "dir " + this.directory,
                "sentinel monitor " + this.masterName + " 127.0.0.1 " + this.master.port() + " 2",
                "sentinel down-after-milliseconds " + this.masterName + " " + DOWN_AFTER.toMillis(),
                "sentinel failover-timeout " + this.masterName + " 5000",
                "sentinel parallel-syncs " + this.masterName + " 1",
                ""));
        LocalProcess sentinel = LocalProcess.start(
                List.of(RedisBinary.executable().toString(), config.toString(), "--sentinel"), this.directory,
                "sentinel-" + port + ".log");
        this.sentinels.add(sentinel);
        this.sentinelPorts.add(port);
        RedisServer.awaitReady(sentinel, port, "Redis Sentinel");
    }

    private void awaitSentinelsSeeReplica() {
        long deadline = System.nanoTime() + RedisServer.STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean allSee = true;
            for (int port : this.sentinelPorts) {
                try (Jedis sentinel = RedisServer.connect(port, SENTINEL_TIMEOUT)) {
                    allSee &= !sentinel.sentinelReplicas(this.masterName).isEmpty();
                }
            }
            if (allSee) {
                return;
            }
            Pause.of(Pause.POLL);
        }
        throw new IllegalStateException("Sentinels did not discover the replica within " + RedisServer.STARTUP_TIMEOUT);
    }

}
