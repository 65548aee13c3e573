package io.github.distlock.redis;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * A lease backend on Redis (standalone, Sentinel or Cluster) through Jedis, on {@link RedisConnections}.
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
 * thread and a connection of its own, dispatches it to the waiters of that key. The subscription is pinged every
 * second; a connection that stops answering is noticed within the time limit plus two seconds, closed and replaced,
 * and every waiter retries at once. A missed message only delays a waiter
 * until the holder's remaining lease time, which the acquire script returns.
 *
 * <h2>Bounded calls</h2>
 * Every call (acquire, with its {@code WAIT} when replicas must acknowledge; renew; release) ends within the time
 * limit of {@link RedisConnections}, default 2 s, whether Redis is unreachable, frozen, or its pool exhausted: then
 * it throws {@link RedisUnavailableException} naming the server, and the engine fails closed.
 *
 * <p>Thread-safe. The connections may be created lazily ({@link RedisConnections#create}), so the backend can be
 * created while Redis is down; calls then fail (and the engine fails closed) until Redis answers.
 *
 * @since 0.1.0
 */
public final class RedisLeaseBackend implements FencingLeaseBackend, ReleaseNotifyingBackend {

    /** The backend's name in logs, metrics and messages. */
    public static final String NAME = "redis";

    private static final RedisScript ACQUIRE = RedisScript.load("acquire.lua");

    private static final RedisScript RENEW = RedisScript.load("renew.lua");

    private static final RedisScript RELEASE = RedisScript.load("release.lua");

    // Left between the end of a WAIT and the end of the call's time limit, for the reply to arrive.
    private static final long WAIT_MARGIN_MILLIS = 50;

    private final RedisConnections connections;

    private final RedisLockOptions options;

    private final RedisReleaseListener releases;

    private final String retentionMillis;

    /**
     * Creates a backend with default options over an application's own Jedis client (see
     * {@link RedisConnections#sharing(UnifiedJedis)}).
     * @param client the Jedis client; not closed by this backend
     */
    public RedisLeaseBackend(UnifiedJedis client) {
        this(RedisConnections.sharing(client), RedisLockOptions.defaults());
    }

    /**
     * Creates a backend.
     * @param connections where the commands and the release subscription go, and their time limit; closed by the
     *     caller, after this backend
     * @param options key naming and acquire strictness
     */
    public RedisLeaseBackend(RedisConnections connections, RedisLockOptions options) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.options = Objects.requireNonNull(options, "options");
        this.releases = new RedisReleaseListener(connections, options.releaseChannel());
        this.retentionMillis = Long.toString(options.tokenRetention().toMillis());
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        String storedKey = storedKey(key);
        String leaseMillis = millis(leaseTime);
        // The WAIT must run on the connection that wrote the lease: it counts only that connection's writes.
        return this.connections.call(storedKey, "acquire", connection -> {
            List<?> reply = (List<?>) ACQUIRE.run(connection, storedKey, ownerToken, leaseMillis);
            long granted = (Long) reply.get(0);
            long value = (Long) reply.get(1);
            if (granted != 1) {
                return AcquireResult.heldByAnother(Duration.ofMillis(Math.max(0, value)));
            }
            awaitReplicas(connection, key, storedKey, ownerToken);
            return AcquireResult.granted(value);
        });
    }

    private void awaitReplicas(Connection connection, String key, String storedKey, String ownerToken) {
        int replicas = this.options.replicasToAcknowledge();
        if (replicas == 0) {
            return;
        }
        long limit = this.options.replicaAcknowledgementTimeout().toMillis();
        int readTimeout = connection.getSoTimeout();
        // WAIT must answer before the connection's read timeout (the call's remaining time) runs out.
        long waitMillis = (readTimeout > 0) ? Math.min(limit, readTimeout - WAIT_MARGIN_MILLIS) : limit;
        long acknowledged = (waitMillis < 1) ? 0
                : (Long) connection.executeCommand(new CommandArguments(Protocol.Command.WAIT).add(replicas)
                        .add(waitMillis));
        if (acknowledged < replicas) {
            RELEASE.run(connection, storedKey, ownerToken, this.retentionMillis, this.options.releaseChannel());
            throw new RedisReplicationException("Only " + acknowledged + " of " + replicas + " replicas acknowledged "
                    + "the lease on '" + key + "' (" + this.connections.describe(storedKey) + ") within "
                    + Duration.ofMillis(Math.max(0, waitMillis)) + "; the lease was released");
        }
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        String storedKey = storedKey(key);
        String leaseMillis = millis(leaseTime);
        return this.connections.call(storedKey, "renewal",
                connection -> (Long) RENEW.run(connection, storedKey, ownerToken, leaseMillis) == 1L);
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        String storedKey = storedKey(key);
        return this.connections.call(storedKey, "release", connection -> (Long) RELEASE.run(connection, storedKey,
                ownerToken, this.retentionMillis, this.options.releaseChannel()) == 1L);
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
     * Stops the release subscription and closes its connection. The connections for commands are left to their
     * owner.
     */
    @Override
    public void close() {
        this.releases.close();
    }

    private static String millis(Duration leaseTime) {
        return Long.toString(Math.max(1, leaseTime.toMillis()));
    }

}
