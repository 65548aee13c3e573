package io.github.distlock.redis;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.MultiKeyLeaseBackend;
import io.github.distlock.core.spi.QueueingLeaseBackend;
import io.github.distlock.core.spi.ReleaseSubscription;
import io.github.distlock.core.spi.SharedLeaseBackend;

import org.jspecify.annotations.Nullable;

import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * A lease backend on Redis (standalone, Sentinel or Cluster) through Jedis, on {@link RedisConnections}.
 *
 * <h2>Storage</h2>
 * Each lock is one string at {@code keyPrefix + "{" + key + "}"}: {@code "token:owner"} while held, and just the
 * last fencing token for {@link RedisLockOptions#tokenRetention()} after a release, expiring with the lease
 * ({@code PX}, server time). Its waiters queue in a sorted set at the same name plus {@code ":q"}, which exists only
 * while someone waits; the braces make both hash to the lock key's slot in a cluster. Two different keys never map
 * to the same Redis key, because the prefix is the same for all of them. (A key that starts with {@code '}'} gives
 * an empty hash tag, so in a cluster its lock and queue fall into different slots and its acquires fail closed with
 * a {@code CROSSSLOT} error; avoid such keys there.)
 *
 * <h2>Round trips</h2>
 * Acquire, renew and release are one {@code EVALSHA} each ({@code acquire.lua}, {@code renew.lua},
 * {@code release.lua}), with an {@code EVAL} fallback when the server does not know the script. Renew and release
 * compare the owner token, so a stale holder can never extend or delete another owner's lease. An uncontended
 * acquire runs {@code GET}, {@code TIME} and {@code SET PX} inside its script; an uncontended release {@code GET},
 * {@code ZPOPMIN} (empty) and {@code SET PX}, and publishes nothing.
 *
 * <h2>Fencing tokens</h2>
 * {@code token = max(last token of the key + 1, server time in microseconds)}, taken from {@code TIME} inside the
 * script. The last token is kept with the lease and for {@link RedisLockOptions#tokenRetention()} after a
 * release; after that, after an expiry, and after a restart without persistence, the server clock has moved past
 * every token issued before. Tokens therefore increase strictly per key without a record kept forever per key,
 * <b>assuming the Redis server's clock never steps backwards</b> (and, after a failover, that the new master's
 * clock is not behind the old one's by more than the time the failover took).
 *
 * <h2>Waiting: a queue per key, and a hand-off announced to one node</h2>
 * A waiting attempt that finds the key held adds its owner to the key's queue, scored by the end of its wait in
 * server time ({@link QueueingLeaseBackend}). The release script pops the oldest waiter whose wait has not ended,
 * stores it as the new owner with the next fencing token and a claim time of {@link #HAND_OFF_CLAIM_TIME}, and
 * publishes the hand-off on the channel of that waiter's backend only ({@link #nodeChannel()}); a release that
 * nobody waits for publishes nothing. Redis's work per release therefore does not grow with the number of
 * application instances, and a contended release wakes one waiter, whose next attempt finds the key its own. Each
 * backend subscribes to its own channel once, when its first caller waits, on one thread and a connection of its
 * own; the subscription is pinged every second, and a connection that stops answering is replaced and every waiter
 * retries at once. A lost announcement only delays a waiter until the holder's remaining lease time, which the
 * acquire script returns; a waiter that died delays the queue by at most the claim time.
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
public final class RedisLeaseBackend implements FencingLeaseBackend, QueueingLeaseBackend, SharedLeaseBackend,
        MultiKeyLeaseBackend {

    /** The backend's name in logs, metrics and messages. */
    public static final String NAME = "redis";

    /** How long a key handed to a waiter stays reserved for it before the waiter claims it with an attempt. */
    public static final Duration HAND_OFF_CLAIM_TIME = Duration.ofSeconds(2);

    private static final RedisScript ACQUIRE = RedisScript.load("acquire.lua");

    private static final RedisScript RENEW = RedisScript.load("renew.lua");

    private static final RedisScript RELEASE = RedisScript.load("release.lua");

    private static final RedisScript ACQUIRE_ALL = RedisScript.load("acquire_all.lua");

    private static final RedisScript ACQUIRE_SHARED = RedisScript.load("acquire_shared.lua");

    private static final RedisScript RENEW_SHARED = RedisScript.load("renew_shared.lua");

    // The last reader's release hands the key on by release.lua's rules, inside the same atomic script.
    private static final RedisScript RELEASE_SHARED = RedisScript.loadCalling("release_shared.lua", "releaseHeldBy",
            "release.lua");

    /**
     * The owner the lock key names while readers hold it: never an owner token of a queued wait (those have no
     * {@code '|'}), so the exclusive scripts see the key held by someone else.
     */
    private static final String READERS_MARK = "|readers";

    private static final String CLAIM_MILLIS = Long.toString(HAND_OFF_CLAIM_TIME.toMillis());

    // Left between the end of a WAIT and the end of the call's time limit, for the reply to arrive.
    private static final long WAIT_MARGIN_MILLIS = 50;

    private final RedisConnections connections;

    private final RedisLockOptions options;

    private final String nodeId;

    private final RedisHandOffListener handOffs;

    private final String retentionMillis;

    // The owners of waits in progress that a refused attempt may have put in a queue: only their attempts need to
    // take them out of it when they find the key free, which spares every other attempt a ZREM.
    private final Set<String> possiblyQueued = ConcurrentHashMap.newKeySet();

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
     * @param connections where the commands and the hand-off subscription go, and their time limit; closed by the
     *     caller, after this backend
     * @param options key naming and acquire strictness
     */
    public RedisLeaseBackend(RedisConnections connections, RedisLockOptions options) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.options = Objects.requireNonNull(options, "options");
        byte[] id = new byte[12];
        new SecureRandom().nextBytes(id);
        this.nodeId = HexFormat.of().formatHex(id);
        this.handOffs = new RedisHandOffListener(connections, nodeChannel());
        this.retentionMillis = Long.toString(options.tokenRetention().toMillis());
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        return acquire(key, ownerToken, leaseTime, null);
    }

    @Override
    public AcquireResult tryAcquireOrQueue(String key, String ownerToken, Duration leaseTime, Duration remainingWait) {
        requireQueueableOwner(ownerToken);
        return acquire(key, ownerToken, leaseTime, remainingWait);
    }

    private AcquireResult acquire(String key, String ownerToken, Duration leaseTime, @Nullable Duration queueFor) {
        String storedKey = storedKey(key);
        String[] keys = { storedKey, queueKey(storedKey) };
        String leaseMillis = millis(leaseTime);
        if (queueFor != null) {
            // Before the call: a reply lost after the script queued the owner must not leave it marked unqueued.
            String mayBeQueued = this.possiblyQueued.add(ownerToken) ? "0" : "1";
            AcquireResult result = acquire(key, keys, ownerToken, leaseMillis, this.nodeId, millis(queueFor),
                    mayBeQueued);
            if (result.isGranted()) {
                this.possiblyQueued.remove(ownerToken);
            }
            return result;
        }
        return acquire(key, keys, ownerToken, leaseMillis);
    }

    private AcquireResult acquire(String key, String[] keys, String ownerToken, String... moreArguments) {
        String[] arguments = new String[moreArguments.length + 1];
        arguments[0] = ownerToken;
        System.arraycopy(moreArguments, 0, arguments, 1, moreArguments.length);
        // The WAIT must run on the connection that wrote the lease: it counts only that connection's writes.
        return this.connections.call(keys[0], "acquire", connection -> {
            List<?> reply = (List<?>) ACQUIRE.run(connection, keys, arguments);
            long granted = (Long) reply.get(0);
            long value = (Long) reply.get(1);
            if (granted != 1) {
                return AcquireResult.heldByAnother(Duration.ofMillis(Math.max(0, value)));
            }
            awaitReplicas(connection, key, keys, () -> release(connection, keys, ownerToken));
            return AcquireResult.granted(value);
        });
    }

    /**
     * Returns whether one script can take all the keys: always on one server (standalone, Sentinel), and on a Cluster
     * when their stored keys hash to one slot (each key is its own hash tag, so different keys rarely do).
     */
    @Override
    public boolean acquiresTogether(List<String> keys) {
        return this.connections.inOneSlot(keys.stream().map(this::storedKey).toList());
    }

    /**
     * Takes every key in one script ({@code acquire_all.lua}), all or none, each as {@link #tryAcquire} would; with
     * {@link RedisLockOptions#replicasToAcknowledge()} the grant waits for the replicas once for the whole set, and
     * releases every key if they do not acknowledge.
     */
    @Override
    public List<AcquireResult> tryAcquireAll(List<String> keys, List<String> ownerTokens, Duration leaseTime) {
        if (keys.size() != ownerTokens.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + ownerTokens.size() + " owner tokens");
        }
        String[] stored = keys.stream().map(this::storedKey).toArray(String[]::new);
        String[] arguments = new String[keys.size() + 1];
        arguments[0] = millis(leaseTime);
        for (int i = 0; i < keys.size(); i++) {
            arguments[i + 1] = ownerTokens.get(i);
        }
        return this.connections.call(stored[0], "acquire", connection -> {
            List<?> reply = (List<?>) ACQUIRE_ALL.run(connection, stored, arguments);
            if ((Long) reply.get(0) != 1L) {
                return List.of(AcquireResult.heldByAnother(Duration.ofMillis(Math.max(0, (Long) reply.get(2)))));
            }
            awaitReplicas(connection, keys.toString(), stored, () -> {
                for (int i = 0; i < stored.length; i++) {
                    release(connection, new String[] { stored[i], queueKey(stored[i]) }, ownerTokens.get(i));
                }
            });
            List<AcquireResult> granted = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                granted.add(AcquireResult.granted((Long) reply.get(i + 1)));
            }
            return granted;
        });
    }

    @Override
    public AcquireResult tryAcquireShared(String key, String ownerToken, Duration leaseTime) {
        String storedKey = storedKey(key);
        String[] keys = { storedKey, queueKey(storedKey), readersKey(storedKey) };
        String leaseMillis = millis(leaseTime);
        return this.connections.call(storedKey, "shared acquire", connection -> {
            List<?> reply = (List<?>) ACQUIRE_SHARED.run(connection, keys, ownerToken, leaseMillis, READERS_MARK);
            long value = (Long) reply.get(1);
            if ((Long) reply.get(0) != 1L) {
                return (value < 0) ? AcquireResult.heldByAnother() : AcquireResult.heldByAnother(Duration.ofMillis(value));
            }
            awaitReplicas(connection, key, keys, () -> releaseShared(connection, keys, ownerToken));
            return AcquireResult.granted(value);
        });
    }

    @Override
    public boolean renewSharedIfOwner(String key, String ownerToken, Duration leaseTime) {
        String storedKey = storedKey(key);
        String[] keys = { storedKey, readersKey(storedKey) };
        String leaseMillis = millis(leaseTime);
        return this.connections.call(storedKey, "shared renewal",
                connection -> (Long) RENEW_SHARED.run(connection, keys, ownerToken, leaseMillis, READERS_MARK) == 1L);
    }

    @Override
    public boolean releaseSharedIfOwner(String key, String ownerToken) {
        String storedKey = storedKey(key);
        String[] keys = { storedKey, queueKey(storedKey), readersKey(storedKey) };
        return this.connections.call(storedKey, "shared release",
                connection -> releaseShared(connection, keys, ownerToken));
    }

    private boolean releaseShared(Connection connection, String[] keys, String ownerToken) {
        return (Long) RELEASE_SHARED.run(connection, keys, ownerToken, this.retentionMillis,
                this.options.nodeChannelPrefix(), CLAIM_MILLIS, READERS_MARK) == 1L;
    }

    private void awaitReplicas(Connection connection, String key, String[] keys, Runnable releaseTheGrant) {
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
            releaseTheGrant.run();
            throw new RedisReplicationException("Only " + acknowledged + " of " + replicas + " replicas acknowledged "
                    + "the lease on '" + key + "' (" + this.connections.describe(keys[0]) + ") within "
                    + Duration.ofMillis(Math.max(0, waitMillis)) + "; the lease was released");
        }
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        String storedKey = storedKey(key);
        String[] keys = { storedKey };
        String leaseMillis = millis(leaseTime);
        return this.connections.call(storedKey, "renewal",
                connection -> (Long) RENEW.run(connection, keys, ownerToken, leaseMillis) == 1L);
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        String storedKey = storedKey(key);
        String[] keys = { storedKey, queueKey(storedKey) };
        return this.connections.call(storedKey, "release", connection -> release(connection, keys, ownerToken));
    }

    private boolean release(Connection connection, String[] keys, String ownerToken) {
        return (Long) RELEASE.run(connection, keys, ownerToken, this.retentionMillis,
                this.options.nodeChannelPrefix(), CLAIM_MILLIS) == 1L;
    }

    @Override
    public void leaveQueue(String key, String ownerToken) {
        requireQueueableOwner(ownerToken);
        this.possiblyQueued.remove(ownerToken);
        String storedKey = storedKey(key);
        String[] keys = { storedKey, queueKey(storedKey) };
        this.connections.call(storedKey, "leaving the queue", connection -> {
            connection.executeCommand(new CommandArguments(Protocol.Command.ZREM).key(keys[1])
                    .add(ownerToken + "|" + this.nodeId));
            // A key handed to this owner meanwhile goes on to the next waiter.
            return release(connection, keys, ownerToken);
        });
    }

    @Override
    public ReleaseSubscription subscribeToHandOff(String key, String ownerToken, Runnable onHandOff) {
        return this.handOffs.register(storedKey(key) + "\n" + ownerToken, onHandOff);
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
     * @return the prefixed key, with the lock key as its hash tag
     */
    public String storedKey(String key) {
        return this.options.keyPrefix() + "{" + key + "}";
    }

    /**
     * Returns the Redis key of the queue of waiters of a stored lock key; it exists only while someone waits.
     * @param storedKey the stored lock key, from {@link #storedKey(String)}
     * @return the queue's key, in the same hash slot
     */
    public String queueKey(String storedKey) {
        return storedKey + ":q";
    }

    /**
     * Returns the Redis key of the readers of a stored lock key (their owner tokens, scored by the end of each
     * shared lease); it exists only while readers hold the key.
     * @param storedKey the stored lock key, from {@link #storedKey(String)}
     * @return the readers' key, in the same hash slot
     */
    public String readersKey(String storedKey) {
        return storedKey + ":r";
    }

    /**
     * Returns the pub/sub channel on which this backend hears of keys handed to its waiters: one per backend
     * instance (a random node id), so that a hand-off is published to one subscriber.
     * @return the channel name
     */
    public String nodeChannel() {
        return this.options.nodeChannelPrefix() + this.nodeId;
    }

    /**
     * Stops the hand-off subscription and closes its connection. The connections for commands are left to their
     * owner.
     */
    @Override
    public void close() {
        this.handOffs.close();
    }

    private static void requireQueueableOwner(String ownerToken) {
        if (ownerToken.indexOf('|') >= 0 || ownerToken.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("Owner token '" + ownerToken + "' of a queued wait must not contain "
                    + "'|' or a line break");
        }
    }

    private static String millis(Duration leaseTime) {
        return Long.toString(Math.max(1, leaseTime.toMillis()));
    }

}
