package io.github.distlock.benchmarks.contenders;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson {@code RLock} with its defaults: {@code tryLock(wait)} without a lease time, so the watchdog renews the
 * lock; waiters subscribe to the lock's channel. Each node is its own {@code RedissonClient}.
 */
final class RedissonContender extends RedisContender {

    RedissonContender(String host, int port) {
        super(host, port);
    }

    @Override
    Node open() {
        Config config = new Config();
        config.useSingleServer().setAddress("redis://" + this.host + ":" + this.port);
        RedissonClient client = Redisson.create(config);
        // No quiet period at shutdown: the harness closes nodes between measurements and must not wait seconds each.
        return Node.of((key, wait) -> tryLock(client.getLock(key), wait),
                () -> client.shutdown(0, 5, TimeUnit.SECONDS));
    }

    /**
     * Takes a {@link Lock} with its own timed {@code tryLock}, as Redisson's and Spring Integration's users do.
     * @param lock the lock
     * @param wait how long to wait
     * @return the held lock, or {@code null} if it stayed held for the whole wait
     * @throws InterruptedException if interrupted while waiting
     */
    static @Nullable Held tryLock(Lock lock, Duration wait) throws InterruptedException {
        return lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS) ? lock::unlock : null;
    }

}
