package io.github.distlock.benchmarks.contenders;

import java.util.ArrayList;
import java.util.List;

import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLockOptions;
import io.github.distlock.redis.RedisTopology;
import io.github.distlock.redis.RedlockLeaseBackend;
import io.github.distlock.testservers.RedisServer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;

/**
 * This project's {@link RedlockLeaseBackend} under {@link LockEngine} with default settings, on N independent
 * masters: the harness's Redis server and N - 1 servers this contender starts on free loopback ports (and stops when
 * it is closed). The harness counts commands and Redis CPU on its own server only, so those figures are one
 * master's share. Each node has its own connections to every master, backend and engine, as an application
 * instance would.
 *
 * <p>The per-node time limit is Jedis's default 2 s rather than Redlock's 50 ms default: on a loaded 2-core machine a
 * 50 ms limit would turn scheduling delays into failed calls, which the benchmark would count as the lock's cost.
 */
final class RedlockContender extends RedisContender {

    private final List<RedisServer> ownMasters = new ArrayList<>();

    RedlockContender(String host, int port, int masters) {
        super(host, port);
        RedlockLeaseBackend.requireOddMajority(masters);
        try {
            for (int i = 1; i < masters; i++) {
                this.ownMasters.add(RedisServer.start());
            }
        }
        catch (RuntimeException ex) {
            closeAfterNodes();
            throw ex;
        }
    }

    @Override
    Node open() {
        JedisClientConfig config = DefaultJedisClientConfig.builder().build();
        List<RedisConnections> nodes = new ArrayList<>();
        nodes.add(connections(this.host, this.port, config));
        for (RedisServer master : this.ownMasters) {
            nodes.add(connections(master.host(), master.port(), config));
        }
        RedlockLeaseBackend backend = new RedlockLeaseBackend(nodes, RedisLockOptions.defaults());
        List<AutoCloseable> closedAfterwards = new ArrayList<>();
        closedAfterwards.add(backend);
        closedAfterwards.addAll(nodes);
        return DistlockContender.engineNode(new LockEngine(backend), closedAfterwards.toArray(AutoCloseable[]::new));
    }

    @Override
    void closeAfterNodes() {
        this.ownMasters.forEach(RedisServer::close);
        this.ownMasters.clear();
    }

    private static RedisConnections connections(String host, int port, JedisClientConfig config) {
        return RedisConnections.create(RedisTopology.standalone(host, port), config, config,
                DistlockContender.POOL_SIZE);
    }

}
