package io.github.distlock.jdbc;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.QueueingLeaseBackend;
import io.github.distlock.core.spi.ReleaseSubscription;
import io.github.distlock.core.spi.SharedLeaseBackend;

/**
 * A {@link JdbcLeaseBackend} on PostgreSQL that queues waiters per key and hands a released key to the oldest one
 * ({@link QueueingLeaseBackend}), telling only that waiter's application instance, and that grants shared leases
 * ({@link SharedLeaseBackend}, for {@code READ} locks).
 *
 * <h2>The queue</h2>
 * A waiting attempt that finds the key held adds its owner to the key's queue, kept in the key's own row (column
 * {@code waiters}, oldest first) and written under the row lock that every grant and release takes, so a release
 * never misses a waiter that queued before it. A release that finds a waiter whose wait has not ended stores it as
 * the new owner, with the next fencing token and a claim time of {@link #HAND_OFF_CLAIM_TIME}, and runs
 * {@code pg_notify} on that waiter's node channel ({@link #nodeChannel()}) with {@code key LF owner} as payload; the
 * waiter's next attempt finds the key its own and extends it to its lease. A release that nobody waits for notifies
 * nobody, so PostgreSQL's work per release does not grow with the number of application instances, and a release
 * of a contended key wakes one waiter: the releasing instance cannot take the key straight back past the others
 * (first come, first served). A key whose holder's lease ended while nobody released it is free for whoever asks
 * first. A waiter that died delays the queue by at most the claim time; one that gave up leaves it
 * ({@link #leaveQueue}). At most {@value PostgresLockStatements#MAX_QUEUED_WAITERS} waiters queue per key; a waiter
 * beyond it retries when the holder's lease would end.
 *
 * <h2>Shared leases</h2>
 * Readers live in the key's row as well (column {@code readers}, one {@code 'lease-end owner'} entry each), changed
 * under the same row lock. While readers hold the key, the row's owner is {@link PostgresLockStatements#READERS_MARK}
 * (which no owner token equals) and its {@code expires_at} the end of the longest reader lease, so every exclusive
 * statement, unchanged, refuses while any reader holds and reports that lease as the holder's remaining time. A
 * shared grant is refused while a writer holds the key, while a hand-off waits to be claimed, and while a writer in
 * the queue still waits (the writer's intent), and draws its token from the same sequence under the row lock; a
 * refusal because of a waiting writer reports no remaining time. Readers do not queue and get no announcement: the
 * engine retries them with its backoff. The release of the last reader hands the key to the oldest waiting writer
 * and notifies its node, as an exclusive release does. Shared renewals and releases are owner-checked on the
 * reader's entry, which ends by database time ({@code clock_timestamp()}) like every lease here.
 *
 * <h2>The listener</h2>
 * Each backend listens on a channel of its own, {@code distlock_<node id>} (16 random hexadecimal digits), with one
 * {@code LISTEN} on a connection taken from the data source when its first caller waits. Notifications are hints:
 * one sent while the listening connection was down is lost, so the engine still retries by the holder's remaining
 * lease, and the listener wakes every waiter once when it reconnects. Once nobody has waited for a second, it ends
 * its {@code LISTEN}, gives the connection back and its thread ends, within about 1.25 s of the last waiter leaving;
 * the next waiter starts it again. {@link #close()} stops it at once. Thread-safe.
 *
 * @since 0.1.0
 */
public final class NotifyingJdbcLeaseBackend extends JdbcLeaseBackend implements QueueingLeaseBackend, SharedLeaseBackend {

    /** How long a key handed to a waiter stays reserved for it before the waiter claims it with an attempt. */
    public static final Duration HAND_OFF_CLAIM_TIME = Duration.ofSeconds(2);

    /** How many hexadecimal digits a node id has. */
    static final int NODE_ID_LENGTH = 16;

    private final String nodeId;

    private final PostgresLockStatements queue;

    private final PostgresHandOffListener listener;

    // The owners of waits in progress whose attempts may have queued them: only their attempts need the statement
    // that queues (and claims a hand-off); a wait's first attempt tries the cheaper plain acquire first.
    private final Set<String> possiblyQueued = ConcurrentHashMap.newKeySet();

    NotifyingJdbcLeaseBackend(DataSource dataSource, JdbcLockOptions options, JdbcPlatform platform) {
        super(dataSource, options, platform);
        byte[] id = new byte[NODE_ID_LENGTH / 2];
        new SecureRandom().nextBytes(id);
        this.nodeId = HexFormat.of().formatHex(id);
        this.queue = (PostgresLockStatements) statements();
        this.listener = new PostgresHandOffListener(dataSource, nodeChannel());
    }

    @Override
    public AcquireResult tryAcquireOrQueue(String key, String ownerToken, Duration leaseTime, Duration remainingWait) {
        requireValidKey(key, maxKeyLength());
        requireValidOwnerToken(ownerToken);
        long leaseMicros = leaseMicros(leaseTime);
        long waitMicros = Math.max(1, TimeUnit.MICROSECONDS.convert(remainingWait));
        AcquireResult result = acquireWith(key, connection -> {
            if (!this.possiblyQueued.contains(ownerToken)) {
                // The wait's first attempt tries the plain statement: on a free key it grants at the plain cost.
                AcquireResult plain = this.queue.acquire(connection, key, ownerToken, leaseMicros);
                if (plain.isGranted()) {
                    return plain;
                }
                // Before the statement that queues: a reply lost after it committed must not leave the owner marked
                // unqueued, or its next attempt would not see a hand-off.
                this.possiblyQueued.add(ownerToken);
            }
            return this.queue.acquireOrQueue(connection, key, ownerToken, leaseMicros, waitMicros, this.nodeId);
        });
        if (result.isGranted()) {
            this.possiblyQueued.remove(ownerToken);
        }
        return result;
    }

    /**
     * Registers a callback run when the key is handed to the owner.
     * @throws IllegalStateException if the node channel cannot be listened to now; the engine then waits for the
     *     holder's remaining lease instead
     */
    @Override
    public ReleaseSubscription subscribeToHandOff(String key, String ownerToken, Runnable onHandOff) {
        return this.listener.register(key + "\n" + ownerToken, onHandOff);
    }

    @Override
    public void leaveQueue(String key, String ownerToken) {
        requireValidKey(key, maxKeyLength());
        requireValidOwnerToken(ownerToken);
        this.possiblyQueued.remove(ownerToken);
        idempotently("leave the queue of", key, connection -> {
            this.queue.leaveQueue(connection, key, ownerToken);
            return true;
        });
    }

    @Override
    public AcquireResult tryAcquireShared(String key, String ownerToken, Duration leaseTime) {
        return acquireShared(this.queue, key, ownerToken, leaseTime);
    }

    @Override
    public boolean renewSharedIfOwner(String key, String ownerToken, Duration leaseTime) {
        return renewShared(this.queue, key, ownerToken, leaseTime);
    }

    @Override
    public boolean releaseSharedIfOwner(String key, String ownerToken) {
        return releaseShared(this.queue, key, ownerToken);
    }

    /**
     * Returns the channel on which this backend hears of keys handed to its waiters.
     * @return {@code distlock_} followed by this backend's node id
     */
    public String nodeChannel() {
        return "distlock_" + this.nodeId;
    }

    /**
     * Stops listening and gives the listener's connection back; the data source stays open.
     */
    @Override
    public void close() {
        this.listener.close();
    }

}
