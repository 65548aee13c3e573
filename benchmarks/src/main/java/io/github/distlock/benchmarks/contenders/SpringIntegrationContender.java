package io.github.distlock.benchmarks.contenders;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * Spring Integration's {@link RedisLockRegistry} with its defaults (expiry 60 s, no renewal), as a spin lock (the
 * default, retrying every 100 ms) or a pub-sub lock. Each node has its own registry and connection factory.
 */
final class SpringIntegrationContender extends RedisContender {

    private final boolean pubSub;

    SpringIntegrationContender(String host, int port, boolean pubSub) {
        super(host, port);
        this.pubSub = pubSub;
    }

    @Override
    Node open() {
        LettuceConnectionFactory connections = SpringRedis.connectionFactory(this.host, this.port);
        RedisLockRegistry registry = new RedisLockRegistry(connections,
                this.pubSub ? "bench-si-pubsub" : "bench-si-spin");
        registry.setRedisLockType(this.pubSub ? RedisLockType.PUB_SUB_LOCK : RedisLockType.SPIN_LOCK);
        return Node.of((key, wait) -> RedissonContender.tryLock(registry.obtain(key), wait), () -> {
            registry.destroy();
            connections.destroy();
        });
    }

}
