package io.github.distlock.redis;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import redis.clients.jedis.UnifiedJedis;

/**
 * A lease backend on Redis (standalone, Sentinel or Cluster) through a Jedis {@link UnifiedJedis} client.
 *
 * <h2>Storage</h2>
 * Each lock is one hash at {@code keyPrefix + key} with the fields {@code owner} (while held) and {@code token}
 * (the last fencing token issued), expiring with the lease ({@code PEXPIRE}, server time). One key per lock means
 * the lock and its token state always share a hash slot in a cluster. Two different keys never map to the same
 * Redis key, because the prefix is the same for all of them.
 *
 * <h2>Round trips</h2>
 * Acquire, renew and release are one {@code EVALSHA} each ({@code acquire.lua}, {@code renew.lua},
 * {@code release.lua}), with an {@code EVAL} fallback when the server does not know the script. Renew and release
 * compare the owner token, so a stale holder can never extend or delete another owner's lease.
 *
 * <h2>Fencing tokens</h2>
 * {@code token = max(last token of the key + 1, server time in microseconds)}, taken from {@code TIME} inside the
 * script. The last token is kept with the lease and for {@link RedisLockOptions#tokenRetention()} after a
 * release; after that, after an expiry, and after a restart without persistence, the server clock has moved past
 * every token issued before. Tokens therefore increase strictly per key without a record kept forever per key,
 * <b>assuming the Redis server's clock never steps backwards</b> (and, after a failover, that the new master's
 * clock is not behind the old one's by more than the time the failover took).
 *
 * <h2>Release notification</h2>
 * A release publishes the key on {@link RedisLockOptions#releaseChannel()}; one subscription per backend, on one
 * thread, dispatches it to the waiters of that key. A missed message only delays a waiter until the holder's
 * remaining lease time, which the acquire script returns.
 *
 * <p>Thread-safe. The Jedis client is supplied lazily, so the backend can be created while Redis is down; calls
 * then fail (and the engine fails closed) until Redis answers.
 */
public final class RedisLeaseBackend implements FencingLeaseBackend, ReleaseNotifyingBackend {

    /** The backend's name in logs, metrics and messages. */
    public static final String NAME = "redis";

    private static final RedisScript ACQUIRE = RedisScript.load("acquire.lua");

    private static final RedisScript RENEW = RedisScript.load("renew.lua");

    private static final RedisScript RELEASE = RedisScript.load("release.lua");

    private final Supplier<? extends UnifiedJedis> client;

    private final RedisLockOptions options;

    private final RedisReleaseListener releases;

    private final String retentionMillis;

    /**
     * Creates a backend over a client with default options.
     * @param client the Jedis client; not closed by this backend
     */
    public RedisLeaseBackend(UnifiedJedis client) {
        this(() -> client, RedisLockOptions.defaults());
    }

    /**
     * Creates a backend.
     * @param client supplies the Jedis client, possibly creating it on first use; not closed by this backend
     * @param options key naming and acquire strictness
     */
    public RedisLeaseBackend(Supplier<? extends UnifiedJedis> client, RedisLockOptions options) {
        this.client = Objects.requireNonNull(client, "client");
        this.options = Objects.requireNonNull(options, "options");
        this.releases = new RedisReleaseListener(client, options.releaseChannel());
        this.retentionMillis = Long.toString(options.tokenRetention().toMillis());
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        UnifiedJedis jedis = this.client.get();
        String storedKey = storedKey(key);
        List<?> reply = (List<?>) ACQUIRE.run(jedis, storedKey, ownerToken, millis(leaseTime));
        long granted = (Long) reply.get(0);
        long value = (Long) reply.get(1);
        if (granted != 1) {
            return AcquireResult.heldByAnother(Duration.ofMillis(Math.max(0, value)));
        }
        int replicas = this.options.replicasToAcknowledge();
        if (replicas > 0) {
            long acknowledged = jedis.waitReplicas(storedKey, replicas,
                    this.options.replicaAcknowledgementTimeout().toMillis());
            if (acknowledged < replicas) {
                RELEASE.run(jedis, storedKey, ownerToken, this.retentionMillis, this.options.releaseChannel());
                throw new RedisReplicationException("Only " + acknowledged + " of " + replicas
                        + " replicas acknowledged the lease on '" + key + "' within "
                        + this.options.replicaAcknowledgementTimeout() + "; the lease was released");
            }
        }
        return AcquireResult.granted(value);
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        return (Long) RENEW.run(this.client.get(), storedKey(key), ownerToken, millis(leaseTime)) == 1L;
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        return (Long) RELEASE.run(this.client.get(), storedKey(key), ownerToken, this.retentionMillis,
                this.options.releaseChannel()) == 1L;
    }

    @Override
    public ReleaseSubscription subscribeToReleases(String key, Runnable onRelease) {
        return this.releases.register(storedKey(key), onRelease);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxKeyLength() {
        return this.options.maxKeyLength();
    }

    /**
     * Returns the options this backend runs with.
     * @return the options
     */
    public RedisLockOptions options() {
        return this.options;
    }

    /**
     * Returns the Redis key a lock key is stored under.
     * @param key the lock key
     * @return the prefixed key
     */
    public String storedKey(String key) {
        return this.options.keyPrefix() + key;
    }

    /**
     * Stops the release subscription. The Jedis client is not closed.
     */
    @Override
    public void close() {
        this.releases.close();
    }

    private static String millis(Duration leaseTime) {
        return Long.toString(Math.max(1, leaseTime.toMillis()));
    }

}
