package io.github.distlock.chaos;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.SetParams;

/**
 * A deliberately broken Redis lock, for the checker's self-test: a plain {@code SET NX PX} lock with a token from
 * {@code INCR}, and one flaw of the kind users have reported in real lock libraries. The checker must catch each
 * flaw; a harness that passes these would pass anything.
 *
 * <p>Thread-safe, as its Jedis pool is.
 */
final class BrokenRedisBackend implements FencingLeaseBackend {

    /** The flaws. */
    enum Flaw {

        /** Release deletes the key whoever holds it: a late or retried unlock frees another holder's lock. */
        UNCHECKED_RELEASE,

        /** Renewal reports success and does nothing: a critical section longer than the TTL outlives its lock. */
        NO_RENEWAL,

        /** Tokens come from a counter in each process, so two processes hand out the same numbers. */
        REPEATING_TOKENS

    }

    private static final String COMPARE_AND_DELETE =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    private static final String COMPARE_AND_EXPIRE =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
                    + "else return 0 end";

    private final JedisPooled redis;

    private final Flaw flaw;

    private final AtomicLong localTokens = new AtomicLong();

    BrokenRedisBackend(JedisPooled redis, Flaw flaw) {
        this.redis = redis;
        this.flaw = flaw;
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        String set = this.redis.set(key, ownerToken, SetParams.setParams().nx().px(leaseTime.toMillis()));
        if (!"OK".equals(set)) {
            long remaining = this.redis.pttl(key);
            return (remaining > 0) ? AcquireResult.heldByAnother(Duration.ofMillis(remaining))
                    : AcquireResult.heldByAnother();
        }
        long token = (this.flaw == Flaw.REPEATING_TOKENS) ? this.localTokens.incrementAndGet()
                : this.redis.incr(key + ":token");
        return AcquireResult.granted(token);
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        if (this.flaw == Flaw.NO_RENEWAL) {
            return true;
        }
        Object renewed = this.redis.eval(COMPARE_AND_EXPIRE, List.of(key),
                List.of(ownerToken, Long.toString(leaseTime.toMillis())));
        return Long.valueOf(1).equals(renewed);
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        if (this.flaw == Flaw.UNCHECKED_RELEASE) {
            return this.redis.del(key) == 1;
        }
        return Long.valueOf(1).equals(this.redis.eval(COMPARE_AND_DELETE, List.of(key), List.of(ownerToken)));
    }

    @Override
    public String name() {
        return "broken-redis(" + this.flaw + ")";
    }

    @Override
    public void close() {
        this.redis.close();
    }

}
