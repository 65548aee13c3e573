package io.github.distlock.chaos;

import java.util.List;
import java.util.stream.Collectors;

import io.github.distlock.testservers.RedisSentinelGroup;

/**
 * The Redis backend over Sentinel (a master, one replica, three sentinels) under the chaos harness: three worker
 * JVMs, two threads each, finding the master through the sentinels. The master's death and the replica's promotion
 * are {@link SentinelFailoverChaosTests}'s, on groups of their own.
 */
class SentinelChaosTests extends WorkerFaultScenarios {

    private static final String MASTER = "chaos";

    private RedisSentinelGroup group;

    @Override
    String backendName() {
        return "Redis Sentinel";
    }

    @Override
    void startServer() {
        this.group = RedisSentinelGroup.start(MASTER);
    }

    @Override
    void stopServer() {
        if (this.group != null) {
            this.group.close();
        }
    }

    @Override
    List<String> backendSpec() {
        return List.of("sentinel", MASTER, sentinels(this.group));
    }

    /** The sentinels' addresses as a worker's backend spec names them. */
    static String sentinels(RedisSentinelGroup group) {
        return group.sentinelPorts().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

}
