package io.github.distlock.benchmarks.contenders;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/**
 * The floor: the least a safe Redis lock can do. {@code SET key token NX PX} to acquire, a Lua compare-and-delete
 * to release: two round trips and four Redis commands, no fencing token, no renewal, no notification. A waiter
 * polls every millisecond. Same Jedis client and pool as {@link DistlockContender}, so the difference between the
 * two is the lock protocol alone.
 */
final class FloorContender implements LockContender {

    private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end";

    private static final SetParams ACQUIRE = SetParams.setParams().nx().px(30_000);

    private final String host;

    private final int port;

    private final NodeRegistry nodes = new NodeRegistry();

    FloorContender(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public Node openNode() {
        UnifiedJedis jedis = DistlockContender.connect(this.host, this.port);
        String releaseSha = jedis.scriptLoad(RELEASE);
        String ownerPrefix = Long.toHexString(System.nanoTime()) + ":" + System.identityHashCode(jedis) + ":";
        AtomicLong counter = new AtomicLong();
        return this.nodes.track(new Node() {

            @Override
            public @Nullable Held acquire(String key, Duration wait) throws InterruptedException {
                String token = ownerPrefix + counter.incrementAndGet();
                long deadline = System.nanoTime() + wait.toNanos();
                while (!"OK".equals(jedis.set(key, token, ACQUIRE))) {
                    if (System.nanoTime() - deadline >= 0) {
                        return null;
                    }
                    Thread.sleep(1);
                }
                return () -> release(key, token);
            }

            private void release(String key, String token) {
                List<String> keys = List.of(key);
                List<String> args = List.of(token);
                try {
                    jedis.evalsha(releaseSha, keys, args);
                }
                catch (JedisDataException ex) {
                    jedis.eval(RELEASE, keys, args);
                }
            }

            @Override
            public void close() {
                jedis.close();
            }

        });
    }

    @Override
    public void close() {
        this.nodes.closeAll();
    }

}
