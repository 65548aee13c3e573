package io.github.distlock.autoconfigure;

import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The observations over the Redis backend and a real {@code redis-server} started on a free port; unavailable
 * means killed, and it is started again on the same port.
 */
class RedisLockObservationsTests extends LockObservationsContract {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    ApplicationContextRunner backend(ApplicationContextRunner runner) {
        return runner.withPropertyValues("distributed-lock.backend=redis", "distributed-lock.redis.port=" + redis.port(),
                "distributed-lock.redis.timeout=500ms", "distributed-lock.redis.connect-timeout=500ms");
    }

    @Override
    String backendName() {
        return "redis";
    }

    @Override
    void reachable(AssertableApplicationContext context, boolean reachable) {
        if (reachable) {
            redis.restart();
        }
        else {
            redis.kill();
        }
    }

}
