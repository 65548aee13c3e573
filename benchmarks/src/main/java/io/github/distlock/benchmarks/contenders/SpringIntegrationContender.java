package io.github.distlock.benchmarks.contenders;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * Spring Integration's {@link RedisLockRegistry} with its defaults (expiry 60 s, no renewal), as a spin lock (the
 * default, retrying every 100 ms) or a pub-sub lock. Each node has its own registry and connection factory.
 */
final class SpringIntegrationContender implements LockContender {

    private final String host;

    private final int port;

    private final boolean pubSub;

    private final NodeRegistry nodes = new NodeRegistry();

    SpringIntegrationContender(String host, int port, boolean pubSub) {
        this.host = host;
        this.port = port;
        this.pubSub = pubSub;
    }

    @Override
    public Node openNode() {
        LettuceConnectionFactory connections = SpringRedis.connectionFactory(this.host, this.port);
        RedisLockRegistry registry = new RedisLockRegistry(connections, this.pubSub ? "bench-si-pubsub" : "bench-si-spin");
        registry.setRedisLockType(this.pubSub ? RedisLockType.PUB_SUB_LOCK : RedisLockType.SPIN_LOCK);
        return this.nodes.track(new Node() {

            @Override
            public @Nullable Held acquire(String key, Duration wait) throws InterruptedException {
                Lock lock = registry.obtain(key);
                return lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS) ? lock::unlock : null;
            }

            @Override
            public void close() {
                registry.destroy();
                connections.destroy();
            }

        });
    }

    @Override
    public void close() {
        this.nodes.closeAll();
    }

}
