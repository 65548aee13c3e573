package io.github.distlock.benchmarks.contenders;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson {@code RLock} with its defaults: {@code tryLock(wait)} without a lease time, so the watchdog renews the
 * lock; waiters subscribe to the lock's channel. Each node is its own {@code RedissonClient}.
 */
final class RedissonContender implements LockContender {

    private final String address;

    private final NodeRegistry nodes = new NodeRegistry();

    RedissonContender(String host, int port) {
        this.address = "redis://" + host + ":" + port;
    }

    @Override
    public Node openNode() {
        Config config = new Config();
        config.useSingleServer().setAddress(this.address);
        RedissonClient client = Redisson.create(config);
        return this.nodes.track(new Node() {

            @Override
            public @Nullable Held acquire(String key, Duration wait) throws InterruptedException {
                RLock lock = client.getLock(key);
                return lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS) ? lock::unlock : null;
            }

            @Override
            public void close() {
                // No quiet period: the harness closes nodes between measurements and must not wait seconds each.
                client.shutdown(0, 5, TimeUnit.SECONDS);
            }

        });
    }

    @Override
    public void close() {
        this.nodes.closeAll();
    }

}
