package io.github.distlock.benchmarks.contenders;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/**
 * The floor: the least a safe Redis lock can do. {@code SET key token NX PX} to acquire, a Lua compare-and-delete
 * to release: two round trips and four Redis commands, no fencing token, no renewal, no notification. A waiter
 * polls every millisecond. Same Jedis client and pool as {@link DistlockContender}, so the difference between the
 * two is the lock protocol alone.
 */
final class FloorContender extends RedisContender {

    private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end";

    private static final SetParams ACQUIRE = SetParams.setParams().nx().px(30_000);

    FloorContender(String host, int port) {
        super(host, port);
    }

    @Override
    Node open() {
        UnifiedJedis jedis = DistlockContender.connect(this.host, this.port);
        String releaseSha = jedis.scriptLoad(RELEASE);
        String ownerPrefix = Long.toHexString(System.nanoTime()) + ":" + System.identityHashCode(jedis) + ":";
        AtomicLong counter = new AtomicLong();
        return Node.of((key, wait) -> {
            String token = ownerPrefix + counter.incrementAndGet();
            return pollEveryMillisecond(wait, () -> "OK".equals(jedis.set(key, token, ACQUIRE))
                    ? () -> release(jedis, releaseSha, key, token) : null);
        }, jedis::close);
    }

    private static void release(UnifiedJedis jedis, String releaseSha, String key, String token) {
        List<String> keys = List.of(key);
        List<String> args = List.of(token);
        try {
            jedis.evalsha(releaseSha, keys, args);
        }
        catch (JedisDataException ex) {
            jedis.eval(RELEASE, keys, args);
        }
    }

}
