package io.github.distlock.testservers;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/**
 * A real ZooKeeper ensemble of several members (Curator's {@link TestingCluster}: ZooKeeper's own quorum code, each
 * member in this JVM on free loopback ports), for tests of leader change and quorum loss. Members are numbered from
 * 1; a killed member keeps its data, so {@link #restart(int)} brings it back as a real member restart would.
 *
 * <p>The tick is {@value ZooKeeperServer#TICK_MILLIS} ms, as for {@link ZooKeeperServer}. The leader is read from
 * the members' JMX beans (ZooKeeper registers {@code ...,name2=Leader} for the member that leads), so finding it
 * needs no four-letter command.
 *
 * <p>Not thread-safe: one test drives its ensemble. The JMX beans do not say which ensemble a member belongs to, so
 * one ensemble runs in a JVM at a time.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {

    private static final Pattern LEADER_BEAN = Pattern.compile("name0=ReplicatedServer_id(\\d+),.*name2=Leader");

    private final TestingCluster cluster;

    private final List<InstanceSpec> members;

    private ZooKeeperEnsemble(TestingCluster cluster, List<InstanceSpec> members) {
        this.cluster = cluster;
        this.members = members;
    }

    /**
     * Starts an ensemble and waits for it to elect a leader.
     * @param size how many members (3 for a quorum of 2)
     * @param maxSessionTimeoutMillis the longest session timeout the members grant
     * @return the running ensemble
     */
    public static ZooKeeperEnsemble start(int size, int maxSessionTimeoutMillis) {
        List<InstanceSpec> members = new ArrayList<>();
        TestingCluster cluster = null;
        try {
            Map<String, Object> properties = new HashMap<>();
            properties.put("maxSessionTimeout", String.valueOf(maxSessionTimeoutMillis));
            properties.put("minSessionTimeout", String.valueOf(2 * ZooKeeperServer.TICK_MILLIS));
            for (int id = 1; id <= size; id++) {
                members.add(new InstanceSpec(Files.createTempDirectory("distlock-zookeeper-" + id + "-").toFile(),
                        FreePorts.next(), FreePorts.next(), FreePorts.next(), true, id, ZooKeeperServer.TICK_MILLIS,
                        100, properties, "127.0.0.1"));
            }
            cluster = new TestingCluster(members.toArray(InstanceSpec[]::new));
            cluster.start();
            ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(cluster, members);
            ensemble.awaitLeader(Duration.ofSeconds(30));
            return ensemble;
        }
        catch (Exception ex) {
            closeQuietly(cluster);
            throw new IllegalStateException("Could not start a ZooKeeper ensemble of " + size + " members", ex);
        }
    }

    /**
     * Returns the connect string of every member.
     * @return for example {@code 127.0.0.1:40123,127.0.0.1:40125,127.0.0.1:40127}
     */
    public String connectString() {
        return this.cluster.getConnectString();
    }

    /**
     * Waits until one member leads and returns it.
     * @param timeout how long to wait for an election
     * @return the leading member's number
     * @throws IllegalStateException if no member leads within the timeout
     */
    public int awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            Integer leader = currentLeader();
            if (leader != null) {
                return leader;
            }
            Pause.of(Duration.ofMillis(20));
        }
        while (System.nanoTime() < deadline);
        throw new IllegalStateException("No member of the ZooKeeper ensemble leads after " + timeout);
    }

    /**
     * Kills a member at once (no clean shutdown), keeping its data.
     * @param member the member's number, from 1
     */
    public void kill(int member) {
        try {
            this.cluster.killServer(spec(member));
        }
        catch (Exception ex) {
            throw new IllegalStateException("Could not kill ZooKeeper member " + member, ex);
        }
    }

    /**
     * Starts a killed member again on its ports with its data.
     * @param member the member's number, from 1
     */
    public void restart(int member) {
        try {
            this.cluster.restartServer(spec(member));
        }
        catch (Exception ex) {
            throw new IllegalStateException("Could not restart ZooKeeper member " + member, ex);
        }
    }

    /**
     * Returns the client port of a member.
     * @param member the member's number, from 1
     * @return its loopback port
     */
    public int port(int member) {
        return spec(member).getPort();
    }

    /**
     * Stops every member and deletes their data.
     */
    @Override
    public void close() {
        closeQuietly(this.cluster);
        this.members.forEach(spec -> LocalProcess.deleteRecursively(spec.getDataDirectory().toPath()));
    }

    private InstanceSpec spec(int member) {
        if (member < 1 || member > this.members.size()) {
            throw new IllegalArgumentException("The ensemble has members 1 to " + this.members.size() + ", not "
                    + member);
        }
        return this.members.get(member - 1);
    }

    private Integer currentLeader() {
        try {
            for (ObjectName name : ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("org.apache.ZooKeeperService:*"), null)) {
                Matcher matcher = LEADER_BEAN.matcher(name.toString());
                if (matcher.find()) {
                    return Integer.parseInt(matcher.group(1));
                }
            }
            return null;
        }
        catch (MalformedObjectNameException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void closeQuietly(TestingCluster cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        }
        catch (Exception ex) {
            // Best effort in a test fixture; the data folders are deleted by the caller.
        }
    }

}
