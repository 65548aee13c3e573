package io.github.distlock.chaos;

import java.util.List;

import io.github.distlock.testservers.RedisServer;

/**
 * The Redis backend on one server under the chaos harness: three worker JVMs, two threads each.
 */
class RedisChaosTests extends WorkerFaultScenarios {

    private RedisServer redis;

    @Override
    String backendName() {
        return "Redis standalone";
    }

    @Override
    void startServer() {
        this.redis = RedisServer.start();
    }

    @Override
    void stopServer() {
        if (this.redis != null) {
            this.redis.close();
        }
    }

    @Override
    List<String> backendSpec() {
        return List.of("redis", "127.0.0.1:" + this.redis.port());
    }

}
