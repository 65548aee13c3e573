package io.github.distlock.testservers;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import redis.clients.jedis.Jedis;

/**
 * A Redis Cluster of three masters (no replicas) on free loopback ports, with the 16384 slots split between them.
 * Formed with CLUSTER ADDSLOTS and CLUSTER MEET (ADDSLOTS rather than ADDSLOTSRANGE, which Redis 6.2 lacks), so it
 * needs no {@code redis-cli}.
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class RedisClusterGroup implements AutoCloseable {

    private static final int SLOTS = 16384;

    private final List<RedisServer> nodes;

    private RedisClusterGroup(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    /**
     * Starts three nodes, assigns the slots, joins them and waits for {@code cluster_state:ok} on every node.
     * @return the running cluster
     */
    public static RedisClusterGroup start() {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000"));
            }
            RedisClusterGroup cluster = new RedisClusterGroup(nodes);
            cluster.form();
            return cluster;
        }
        catch (RuntimeException ex) {
            nodes.forEach(RedisServer::close);
            throw ex;
        }
    }

    /**
     * Returns the nodes.
     * @return the three masters
     */
    public List<RedisServer> nodes() {
        return List.copyOf(this.nodes);
    }

    @Override
    public void close() {
        this.nodes.forEach(RedisServer::close);
    }

    private void form() {
        int perNode = SLOTS / this.nodes.size();
        for (int i = 0; i < this.nodes.size(); i++) {
            int first = i * perNode;
            int last = (i == this.nodes.size() - 1) ? SLOTS - 1 : first + perNode - 1;
            try (Jedis node = this.nodes.get(i).connect()) {
                node.clusterAddSlots(IntStream.rangeClosed(first, last).toArray());
            }
        }
        try (Jedis first = this.nodes.get(0).connect()) {
            for (int i = 1; i < this.nodes.size(); i++) {
                first.clusterMeet("127.0.0.1", this.nodes.get(i).port());
            }
        }
        long deadline = System.nanoTime() + RedisServer.STARTUP_TIMEOUT.toNanos() * 2;
        while (System.nanoTime() < deadline) {
            if (this.nodes.stream().allMatch(RedisClusterGroup::isOk)) {
                return;
            }
            Pause.of(Pause.POLL);
        }
        throw new IllegalStateException("Redis Cluster did not reach cluster_state:ok");
    }

    private static boolean isOk(RedisServer node) {
        try (Jedis connection = node.connect()) {
            String info = connection.clusterInfo();
            return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
        }
    }

}
