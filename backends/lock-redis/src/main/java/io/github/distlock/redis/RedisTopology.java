package io.github.distlock.redis;

import java.util.List;
import java.util.Objects;

import io.github.distlock.core.InvalidSettingException;

import redis.clients.jedis.HostAndPort;

/**
 * Where the lock service is: one server, a Sentinel-monitored master, or a Cluster. {@link RedisConnections#create}
 * connects to it. Immutable.
 *
 * @since 0.1.0
 */
public sealed interface RedisTopology {

    /**
     * One server, reached through a connection pool.
     * @param host the host
     * @param port the port
     * @return the topology
     */
    static RedisTopology standalone(String host, int port) {
        return new Standalone(new HostAndPort(host, port));
    }

    /**
     * A master found through Sentinel; the client follows failovers.
     * @param masterName the name the sentinels monitor the master under
     * @param sentinels the sentinels' addresses
     * @return the topology
     */
    static RedisTopology sentinel(String masterName, List<HostAndPort> sentinels) {
        return new Sentinel(masterName, List.copyOf(sentinels));
    }

    /**
     * A Redis Cluster, discovered from any of the given nodes.
     * @param nodes some of the cluster's nodes
     * @return the topology
     */
    static RedisTopology cluster(List<HostAndPort> nodes) {
        return new Cluster(List.copyOf(nodes));
    }

    /**
     * One server.
     * @param address the server's address
     */
    record Standalone(HostAndPort address) implements RedisTopology {
    }

    /**
     * A Sentinel-monitored master.
     * @param masterName the monitored name
     * @param sentinels the sentinels
     */
    record Sentinel(String masterName, List<HostAndPort> sentinels) implements RedisTopology {

        /**
         * Validates the topology.
         */
        public Sentinel {
            Objects.requireNonNull(masterName, "masterName");
            if (sentinels.isEmpty()) {
                throw new InvalidSettingException("sentinels", sentinels, "must list at least one sentinel");
            }
        }
    }

    /**
     * A Redis Cluster.
     * @param nodes seed nodes
     */
    record Cluster(List<HostAndPort> nodes) implements RedisTopology {

        /**
         * Validates the topology.
         */
        public Cluster {
            if (nodes.isEmpty()) {
                throw new InvalidSettingException("nodes", nodes, "must list at least one node");
            }
        }
    }

}
