package io.github.distlock.benchmarks.contenders;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.redis.spring.RedisLockProvider;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * ShedLock's Spring Data Redis provider with its defaults ({@code lockAtMostFor} 30 s, {@code lockAtLeastFor} 0).
 * ShedLock never waits, it skips; to take part in the waiting scenarios it is polled every millisecond, like the
 * floor. Each node has its own provider and connection factory.
 */
final class ShedLockContender implements LockContender {

    private static final Duration LOCK_AT_MOST_FOR = Duration.ofSeconds(30);

    private final String host;

    private final int port;

    private final NodeRegistry nodes = new NodeRegistry();

    ShedLockContender(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public Node openNode() {
        LettuceConnectionFactory connections = SpringRedis.connectionFactory(this.host, this.port);
        RedisLockProvider provider = new RedisLockProvider(connections, "bench");
        return this.nodes.track(new Node() {

            @Override
            public @Nullable Held acquire(String key, Duration wait) throws InterruptedException {
                long deadline = System.nanoTime() + wait.toNanos();
                while (true) {
                    Optional<SimpleLock> lock = provider.lock(
                            new LockConfiguration(Instant.now(), key, LOCK_AT_MOST_FOR, Duration.ZERO));
                    if (lock.isPresent()) {
                        return lock.get()::unlock;
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        return null;
                    }
                    Thread.sleep(1);
                }
            }

            @Override
            public void close() {
                connections.destroy();
            }

        });
    }

    @Override
    public void close() {
        this.nodes.closeAll();
    }

}
