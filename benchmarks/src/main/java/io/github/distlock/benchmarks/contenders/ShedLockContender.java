package io.github.distlock.benchmarks.contenders;

import java.time.Duration;
import java.time.Instant;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.redis.spring.RedisLockProvider;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * ShedLock's Spring Data Redis provider with its defaults ({@code lockAtMostFor} 30 s, {@code lockAtLeastFor} 0).
 * ShedLock never waits, it skips; to take part in the waiting scenarios it is polled every millisecond, like the
 * floor. Each node has its own provider and connection factory.
 */
final class ShedLockContender extends RedisContender {

    private static final Duration LOCK_AT_MOST_FOR = Duration.ofSeconds(30);

    ShedLockContender(String host, int port) {
        super(host, port);
    }

    @Override
    Node open() {
        LettuceConnectionFactory connections = SpringRedis.connectionFactory(this.host, this.port);
        return pollingNode(new RedisLockProvider(connections, "bench"), connections::destroy);
    }

    /**
     * Returns a node that takes part in the waiting scenarios by asking a ShedLock provider every millisecond, with
     * ShedLock's defaults ({@code lockAtMostFor} 30 s, {@code lockAtLeastFor} 0).
     * @param provider the provider
     * @param close what closing the node does
     * @return the node
     */
    static Node pollingNode(LockProvider provider, Runnable close) {
        return Node.of((key, wait) -> pollEveryMillisecond(wait, () -> provider
            .lock(new LockConfiguration(Instant.now(), key, LOCK_AT_MOST_FOR, Duration.ZERO))
            .<Held>map(lock -> lock::unlock)
            .orElse(null)), close);
    }

}
