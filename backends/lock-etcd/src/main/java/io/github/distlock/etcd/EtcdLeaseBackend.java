package io.github.distlock.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;
import io.github.distlock.core.spi.SharedLeaseBackend;

import org.jspecify.annotations.Nullable;

/**
 * A lease backend on etcd (one member or a cluster) through jetcd, with shared leases for readers.
 *
 * <h2>A lease per holder</h2>
 * Each grant gets an etcd lease of its own, granted with the requested lease time (rounded up to whole seconds, the
 * unit of etcd's TTL; etcd also raises a TTL below its minimum, about 1.5 election timeouts). The lock key
 * {@code keyPrefix + key} holds the owner token and is attached to that lease, so the server deletes it when the
 * lease expires. A per-holder lease, rather than one session lease per backend, is what lets every request keep the
 * {@code leaseTime} the SPI asks for, and makes a lease's loss the loss of exactly one lock: a keep-alive that
 * fails can never take other keys with it, and revoking a lease can only delete the key of the holder that owns it.
 * The lease is kept alive only by the engine's renewals ({@link #renewIfOwner}, one {@code LeaseKeepAlive} request
 * each), never by jetcd's background keep-alive, whose stream can end by itself (jetcd #965, #1383) without anyone
 * being told: here a renewal that fails is a failed call, and the engine marks the lease lost when its validity
 * passes without a successful one.
 *
 * <h2>Round trips</h2>
 * <ul>
 * <li>Acquire: grant the lease, then one transaction {@code If(createRevision(key) == 0, createRevision(readers'
 * mark) == 0) Then(put key=owner with the lease, get key) Else(get key, get readers' mark, get one reader)}; a refused
 * attempt revokes its lease at once and asks the holder's lease for its remaining time. A waiter therefore never owns
 * a lease while it waits, so it can never be granted the key on a lease that expired while it queued (etcd #11456): a
 * put with an expired lease is refused by etcd. For a key no reader ever touched this is the whole acquire.</li>
 * <li>Renew: a transaction that reads the key only if it still holds our owner token, then a keep-alive of the
 * lease it is attached to; a longer lease time than the lease was granted with moves the key to a new lease in one
 * transaction guarded by the owner token (the key's create revision, and so its fencing token, stays).</li>
 * <li>Release: a transaction {@code If(value(key) == owner) Then(delete key)}, then a revoke of our lease. The owner
 * token is unique per grant, so a release retried after a lost reply can never delete a newer holder's key, not even
 * one of the same application (etcd #22082, where an unlock deleted by key name).</li>
 * </ul>
 *
 * <h2>Shared leases</h2>
 * Readers and waiting writers have keys of their own beside the lock key ({@link EtcdLockKeys}: the lock key, the
 * byte {@code 0xFF}, which UTF-8 never contains, so they can never be another lock key's stored form, then
 * {@code r/<owner>} or {@code w/<owner>}); the lock key itself only ever holds a writer. An etcd transaction cannot
 * compare "no key in this range", so each side leaves a mark (a key without a lease) that the other side's
 * transaction compares, and reads the ranges it cannot compare in the same transaction:
 * <ul>
 * <li>A reader's grant is the reader's key, on an etcd lease of its own (so a reader that crashes stops holding at its
 * TTL), put together with the readers' mark in a transaction that requires the lock key absent and the writers' mark
 * absent (no writer waits) or unchanged since a read that found no intent. Readers never compare the readers' mark,
 * so readers joining together never refuse one another.</li>
 * <li>A writer's grant requires the readers' mark absent, which is the unchanged transaction above. When it is present
 * and the same transaction found no reader's key, the readers left (a mark has no lease, so the last reader's
 * expiry leaves it): a second transaction takes the key and deletes the mark if the mark is unchanged, that is if no
 * reader was granted since. The last reader's release deletes the mark itself (guarded the same way), so the next
 * writer's acquire is the plain one again.</li>
 * <li>A writer that waits ({@link #tryAcquireAsWaitingWriter}) records its intent on its first refused attempt, in the
 * refused transaction's else branch: its intent key, on an etcd lease of its remaining wait (whole seconds, rounded
 * up), and the writers' mark. While an intent exists readers are refused; readers that hold keep renewing. A grant
 * deletes the writer's intent; {@link #endWriterIntent} deletes it (with the writers' mark when no other writer waits)
 * and releases a grant that reached the writer; a writer that vanished blocks readers until its intent's lease ends.
 * A reader that finds the writers' mark without any intent deletes it in its grant.</li>
 * <li>Each attempt is at most three transactions (the first, and two after a mark was found unneeded but changed
 * meanwhile); an attempt that still finds a mark changed reports the key held.</li>
 * <li>A reader that is refused by a writer learns the writer's remaining lease time; one refused by an intent, and a
 * writer refused by readers, learn nothing (asking every reader's lease would cost a request per reader) and wait for
 * a release announcement or the engine's longest backoff.</li>
 * </ul>
 * Marks are tiny keys without a lease: one per key and side at most, deleted by the last reader's release, the end
 * of the last intent, or the next attempt of the other side that finds them unneeded; only a key whose last reader
 * or last waiting writer crashed and that nobody uses again keeps one.
 *
 * <h2>Fencing tokens</h2>
 * A writer's token is the key's create revision: the cluster-wide revision of the put that created it. etcd's
 * revision grows with every write of the cluster, is replicated by Raft with the data, and survives leader changes
 * and restarts (it lives in the members' data directories); so every new grant of a key, after a release, an expiry
 * or a restart, gets a larger token than any grant before it, without anything stored per key after its release.
 * Compaction removes old history, not the current revision: it never lowers a revision, so it cannot break the order
 * (only a cluster rebuilt from scratch, with its data directories lost, would start again from 1). A reader's token
 * is the revision of the transaction that granted it, from the same sequence: higher than every writer granted before
 * it, lower than every writer granted after it (whose lock key is created by a later transaction).
 *
 * <h2>Release notification</h2>
 * Two watches per key that has waiters, shared by them ({@link EtcdReleaseWatches}): one on the lock key and one on
 * its readers' range. A delete (a release or an expiry, of the writer or of a reader) wakes the key's waiters; so
 * does a watch that ends or fails, once it is established again, so a missed delete costs one attempt, not a wait
 * until the holder's lease time.
 *
 * <h2>Bounded calls</h2>
 * Every call ends within {@link EtcdLockOptions#requestTimeout()}, with all its requests, whether etcd is unreachable,
 * stopped or without quorum; then it throws {@link EtcdUnavailableException} naming the endpoints, and the engine
 * fails closed.
 *
 * <p>Thread-safe. The jetcd client is the caller's and is not closed by this backend.
 *
 * @since 0.1.0
 */
public final class EtcdLeaseBackend implements FencingLeaseBackend, ReleaseNotifyingBackend, SharedLeaseBackend {

    /** The backend's name in logs, metrics and messages. */
    public static final String NAME = "etcd";

    // Transactions of one attempt: the first, and retries after a mark found unneeded was put again meanwhile.
    private static final int ATTEMPT_ROUNDS = 3;

    private static final DeleteOption WITH_PREVIOUS = DeleteOption.builder().withPrevKV(true).build();

    private final KV kv;

    private final Lease leases;

    private final EtcdLockOptions options;

    private final String where;

    private final EtcdReleaseWatches watches;

    // Leases this backend granted and still holds, by etcd key (lock key, reader's key or intent) and owner token
    // (never by owner token alone: a refused release of another key, or of the same token as a reader, must not touch
    // this owner's lease): written by acquires, renewals, releases and ends of intents on any thread. Only a cache (a
    // renewal's lease id is read from the key itself when missing); it saves the keep-alive of a lease that was
    // replaced, knows the TTL the lease was granted with, and tells a waiting writer's later attempts that its
    // intent is recorded.
    private final ConcurrentHashMap<Holder, HeldLease> held = new ConcurrentHashMap<>();

    /**
     * Creates a backend with default options.
     * @param client the jetcd client; not closed by this backend
     */
    public EtcdLeaseBackend(Client client) {
        this(client, EtcdLockOptions.defaults(), "etcd");
    }

    /**
     * Creates a backend.
     * @param client the jetcd client; not closed by this backend
     * @param options key naming and the time limit per call
     * @param where how messages name the cluster, for example its endpoints (never with credentials)
     */
    public EtcdLeaseBackend(Client client, EtcdLockOptions options, String where) {
        Objects.requireNonNull(client, "client");
        this.kv = client.getKVClient();
        this.leases = client.getLeaseClient();
        this.options = Objects.requireNonNull(options, "options");
        this.where = Objects.requireNonNull(where, "where");
        this.watches = new EtcdReleaseWatches(client.getWatchClient());
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        return acquireExclusive(key, ownerToken, leaseTime, null);
    }

    @Override
    public AcquireResult tryAcquireAsWaitingWriter(String key, String ownerToken, Duration leaseTime,
            Duration remainingWait) {
        return acquireExclusive(key, ownerToken, leaseTime, Objects.requireNonNull(remainingWait, "remainingWait"));
    }

    // With a remaining wait, a refused attempt records the writer's intent (unless an earlier attempt of the same
    // wait did) and a granted one deletes it.
    private AcquireResult acquireExclusive(String key, String ownerToken, Duration leaseTime,
            @Nullable Duration remainingWait) {
        EtcdLockKeys keys = keys(key);
        ByteSequence lock = keys.lock();
        ByteSequence owner = bytes(ownerToken);
        long deadline = deadline();
        long ttl = ttlSeconds(leaseTime);
        Holder intent = (remainingWait != null) ? new Holder(keys.intent(ownerToken), ownerToken) : null;
        long intentTtl = (remainingWait != null) ? ttlSeconds(remainingWait) : 0;
        // The intent's lease is granted beside the attempt's, so that recording it costs no round trip of its own.
        CompletableFuture<LeaseGrantResponse> intentGrant = (intent != null && !this.held.containsKey(intent))
                ? this.leases.grant(intentTtl) : null;
        long leaseId = 0;
        long intentLease = 0;
        boolean intentRecorded = false;
        boolean granted = false;
        try {
            leaseId = await("lease grant", key, this.leases.grant(ttl), deadline).getID();
            if (intentGrant != null) {
                intentLease = await("lease grant", key, intentGrant, deadline).getID();
            }
            Op[] refused = exclusiveReads(keys);
            if (intentLease != 0) {
                refused = concat(refused, Op.put(intent.storedKey(), owner, withLease(intentLease)),
                        Op.put(keys.writersMark(), ByteSequence.EMPTY, PutOption.DEFAULT));
            }
            // Unchanged for a key no reader ever touched: put-if-absent, plus the readers' mark's absence.
            TxnResponse reply = await("acquire", key, this.kv.txn()
                .If(absent(lock), absent(keys.readersMark()))
                .Then(exclusiveGrant(lock, owner, leaseId, intent, null))
                .Else(refused)
                .commit(), deadline);
            intentRecorded = intentLease != 0 && !reply.isSucceeded();
            for (int round = 1; ; round++) {
                KeyValue current = kvAt(reply, 0);
                // A transaction retried by jetcd after its first reply was lost finds our own put: still a grant.
                granted = current != null && (reply.isSucceeded() || isOurs(current, owner, leaseId));
                if (granted) {
                    this.held.put(new Holder(lock, ownerToken), new HeldLease(leaseId, ttl));
                    if (intent != null) {
                        // The grant deleted the intent's key; its lease goes too.
                        HeldLease earlier = this.held.remove(intent);
                        revokeInBackground((earlier != null) ? earlier.leaseId() : 0);
                        revokeInBackground(intentLease);
                    }
                    return AcquireResult.granted(current.getCreateRevision());
                }
                if (current != null) {
                    return holderRemaining(current.getLease(), deadline);
                }
                if (!rangeAt(reply, 2).isEmpty() || round == ATTEMPT_ROUNDS) {
                    return AcquireResult.heldByAnother();
                }
                // No writer and no reader holds: the readers' mark outlived the readers (it has no lease, so a last
                // reader that expired leaves it). Take the key and delete the mark in one transaction, unless a
                // reader was granted since the mark was read: every reader grant puts the mark.
                reply = await("acquire", key, this.kv.txn()
                    .If(absent(lock), unchanged(keys.readersMark(), kvAt(reply, 1)))
                    .Then(exclusiveGrant(lock, owner, leaseId, intent, keys.readersMark()))
                    .Else(exclusiveReads(keys))
                    .commit(), deadline);
            }
        }
        catch (LeaseNotFound ex) {
            throw new EtcdUnavailableException("The lease granted for the acquire of lock '" + key + "' expired before "
                    + this.where + " applied the acquire", ex);
        }
        finally {
            if (!granted) {
                // After a failure the put may still have been applied: revoking our lease deletes only our own key.
                revokeQuietly(leaseId, deadline);
                if (intentRecorded) {
                    this.held.put(Objects.requireNonNull(intent), new HeldLease(intentLease, intentTtl));
                }
                else if (intentLease != 0) {
                    revokeQuietly(intentLease, deadline);
                }
                else if (intentGrant != null) {
                    intentGrant.thenAccept(grant -> revokeInBackground(grant.getID()));
                }
            }
        }
    }

    @Override
    public void endWriterIntent(String key, String ownerToken) {
        EtcdLockKeys keys = keys(key);
        ByteSequence lock = keys.lock();
        ByteSequence intent = keys.intent(ownerToken);
        long deadline = deadline();
        // The reads come first, so that they see the intents as they were before this transaction deleted ours.
        Op[] common = { Op.get(keys.intentsStart(), range(keys.intentsEnd(), 2)),
            Op.get(keys.writersMark(), GetOption.DEFAULT), Op.delete(intent, WITH_PREVIOUS) };
        TxnResponse reply = await("end of the wait", key, this.kv.txn()
            .If(new Cmp(lock, Cmp.Op.EQUAL, CmpTarget.value(bytes(ownerToken))))
            .Then(concat(common, Op.delete(lock, WITH_PREVIOUS)))
            .Else(common)
            .commit(), deadline);
        // The deleted keys' leases are revoked from their previous values; a lease of ours on a lock key that is no
        // longer ours is revoked from the cache.
        this.held.remove(new Holder(intent, ownerToken));
        if (reply.isSucceeded()) {
            this.held.remove(new Holder(lock, ownerToken));
        }
        else {
            forget(lock, ownerToken, deadline);
        }
        revokePrevious(reply, deadline);
        boolean othersWait = rangeAt(reply, 0).stream().anyMatch(other -> !other.getKey().equals(intent));
        KeyValue mark = kvAt(reply, 1);
        if (!othersWait && mark != null) {
            deleteMarkQuietly(key, keys.writersMark(), mark, deadline);
        }
    }

    @Override
    public AcquireResult tryAcquireShared(String key, String ownerToken, Duration leaseTime) {
        EtcdLockKeys keys = keys(key);
        ByteSequence lock = keys.lock();
        ByteSequence reader = keys.reader(ownerToken);
        ByteSequence owner = bytes(ownerToken);
        long deadline = deadline();
        long ttl = ttlSeconds(leaseTime);
        long leaseId = await("lease grant", key, this.leases.grant(ttl), deadline).getID();
        boolean granted = false;
        try {
            // No writer holds and none ever waited since the writers' mark was last deleted: a reader joins at once.
            TxnResponse reply = await("shared acquire", key, this.kv.txn()
                .If(absent(lock), absent(keys.writersMark()))
                .Then(sharedGrant(keys, reader, owner, leaseId, false))
                .Else(sharedReads(keys, reader))
                .commit(), deadline);
            for (int round = 1; ; round++) {
                long token = 0;
                if (reply.isSucceeded()) {
                    token = reply.getHeader().getRevision();
                }
                else {
                    KeyValue mine = kvAt(reply, 3);
                    if (mine != null && isOurs(mine, owner, leaseId)) {
                        token = mine.getModRevision();
                    }
                }
                granted = token != 0;
                if (granted) {
                    this.held.put(new Holder(reader, ownerToken), new HeldLease(leaseId, ttl));
                    return AcquireResult.granted(token);
                }
                KeyValue writer = kvAt(reply, 0);
                if (writer != null) {
                    return holderRemaining(writer.getLease(), deadline);
                }
                if (!rangeAt(reply, 2).isEmpty() || round == ATTEMPT_ROUNDS) {
                    return AcquireResult.heldByAnother();
                }
                // No writer holds or waits: the writers' mark outlived the intents. Join and delete the mark in one
                // transaction, unless an intent was recorded since the mark was read: every intent puts the mark.
                KeyValue mark = kvAt(reply, 1);
                reply = await("shared acquire", key, this.kv.txn()
                    .If(absent(lock), unchanged(keys.writersMark(), mark))
                    .Then(sharedGrant(keys, reader, owner, leaseId, mark != null))
                    .Else(sharedReads(keys, reader))
                    .commit(), deadline);
            }
        }
        catch (LeaseNotFound ex) {
            throw new EtcdUnavailableException("The lease granted for the shared acquire of lock '" + key
                    + "' expired before " + this.where + " applied the acquire", ex);
        }
        finally {
            if (!granted) {
                revokeQuietly(leaseId, deadline);
            }
        }
    }

    @Override
    public boolean renewSharedIfOwner(String key, String ownerToken, Duration leaseTime) {
        return renewIfStillOwner(key, keys(key).reader(ownerToken), ownerToken, leaseTime);
    }

    @Override
    public boolean releaseSharedIfOwner(String key, String ownerToken) {
        EtcdLockKeys keys = keys(key);
        ByteSequence reader = keys.reader(ownerToken);
        long deadline = deadline();
        // The reads come first, so that they see the readers as they were before this transaction deleted ours.
        TxnResponse reply = await("shared release", key, this.kv.txn()
            .If(new Cmp(reader, Cmp.Op.EQUAL, CmpTarget.value(bytes(ownerToken))))
            .Then(Op.get(keys.readersStart(), range(keys.readersEnd(), 2)),
                    Op.get(keys.readersMark(), GetOption.DEFAULT), Op.delete(reader, WITH_PREVIOUS))
            .commit(), deadline);
        if (!reply.isSucceeded()) {
            forget(reader, ownerToken, deadline);
            return false;
        }
        this.held.remove(new Holder(reader, ownerToken));
        revokePrevious(reply, deadline);
        boolean othersHold = rangeAt(reply, 0).stream().anyMatch(other -> !other.getKey().equals(reader));
        KeyValue mark = kvAt(reply, 1);
        if (!othersHold && mark != null) {
            // The last reader left: without its mark, the next writer's attempt is the plain transaction again.
            deleteMarkQuietly(key, keys.readersMark(), mark, deadline);
        }
        return true;
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        return renewIfStillOwner(key, keys(key).lock(), ownerToken, leaseTime);
    }

    private boolean renewIfStillOwner(String key, ByteSequence storedKey, String ownerToken, Duration leaseTime) {
        try {
            return renewUnlessGone(key, storedKey, ownerToken, leaseTime);
        }
        catch (LeaseNotFound ex) {
            this.held.remove(new Holder(storedKey, ownerToken));
            return false;
        }
    }

    private boolean renewUnlessGone(String key, ByteSequence storedKey, String ownerToken, Duration leaseTime) {
        ByteSequence owner = bytes(ownerToken);
        long deadline = deadline();
        TxnResponse reply = await("renewal", key, this.kv.txn()
            .If(new Cmp(storedKey, Cmp.Op.EQUAL, CmpTarget.value(owner)))
            .Then(Op.get(storedKey, GetOption.DEFAULT))
            .commit(), deadline);
        KeyValue current = kvAt(reply, 0);
        if (!reply.isSucceeded() || current == null) {
            forget(storedKey, ownerToken, deadline);
            return false;
        }
        long ttl = ttlSeconds(leaseTime);
        HeldLease lease = this.held.get(new Holder(storedKey, ownerToken));
        if (lease != null && lease.leaseId() == current.getLease() && lease.ttlSeconds() < ttl) {
            return moveToNewLease(key, storedKey, owner, ownerToken, lease, ttl, deadline);
        }
        return await("renewal", key, this.leases.keepAliveOnce(current.getLease()), deadline).getTTL() > 0;
    }

    private boolean moveToNewLease(String key, ByteSequence storedKey, ByteSequence owner, String ownerToken,
            HeldLease old, long ttl, long deadline) {
        long leaseId = await("lease grant", key, this.leases.grant(ttl), deadline).getID();
        boolean moved = false;
        try {
            // A put to an existing key keeps its create revision, so the fencing token does not change.
            TxnResponse reply = await("renewal", key, this.kv.txn()
                .If(new Cmp(storedKey, Cmp.Op.EQUAL, CmpTarget.value(owner)))
                .Then(Op.put(storedKey, owner, withLease(leaseId)))
                .commit(), deadline);
            moved = reply.isSucceeded();
        }
        finally {
            if (moved) {
                this.held.put(new Holder(storedKey, ownerToken), new HeldLease(leaseId, ttl));
                revokeQuietly(old.leaseId(), deadline);
            }
            else {
                revokeQuietly(leaseId, deadline);
            }
        }
        return moved;
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        ByteSequence storedKey = keys(key).lock();
        long deadline = deadline();
        TxnResponse reply = await("release", key, this.kv.txn()
            .If(new Cmp(storedKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(ownerToken))))
            .Then(Op.delete(storedKey, WITH_PREVIOUS))
            .commit(), deadline);
        forget(storedKey, ownerToken, deadline);
        if (!reply.isSucceeded()) {
            return false;
        }
        revokePrevious(reply, deadline);
        return true;
    }

    /**
     * {@inheritDoc}
     * <p>Runs the callback when the lock key is deleted and when a reader's key is (so a writer waiting for readers
     * tries again as each one leaves, and gets the key once the last one left).
     */
    @Override
    public ReleaseSubscription subscribeToReleases(String key, Runnable onRelease) {
        return this.watches.register(keys(key), onRelease);
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
    public EtcdLockOptions options() {
        return this.options;
    }

    /**
     * Returns the etcd key a lock key is stored under, as UTF-8 text.
     * @param key the lock key
     * @return the prefixed key
     */
    public String storedKeyText(String key) {
        return this.options.keyPrefix() + key;
    }

    /**
     * Stops the release watches. The client and the leases still held are left alone (they expire on the server).
     */
    @Override
    public void close() {
        this.watches.close();
    }

    private EtcdLockKeys keys(String key) {
        return new EtcdLockKeys(storedKeyText(key));
    }

    private static Op[] exclusiveGrant(ByteSequence lock, ByteSequence owner, long leaseId, @Nullable Holder intent,
            @Nullable ByteSequence readersMark) {
        List<Op> ops = new ArrayList<>(4);
        ops.add(Op.put(lock, owner, withLease(leaseId)));
        ops.add(Op.get(lock, GetOption.DEFAULT));
        if (intent != null) {
            ops.add(Op.delete(intent.storedKey(), DeleteOption.DEFAULT));
        }
        if (readersMark != null) {
            ops.add(Op.delete(readersMark, DeleteOption.DEFAULT));
        }
        return ops.toArray(Op[]::new);
    }

    // Gets 0: the lock key, 1: the readers' mark, 2: one reader.
    private static Op[] exclusiveReads(EtcdLockKeys keys) {
        return new Op[] { Op.get(keys.lock(), GetOption.DEFAULT), Op.get(keys.readersMark(), GetOption.DEFAULT),
            Op.get(keys.readersStart(), range(keys.readersEnd(), 1)) };
    }

    private static Op[] sharedGrant(EtcdLockKeys keys, ByteSequence reader, ByteSequence owner, long leaseId,
            boolean deleteWritersMark) {
        Op join = Op.put(reader, owner, withLease(leaseId));
        Op mark = Op.put(keys.readersMark(), ByteSequence.EMPTY, PutOption.DEFAULT);
        return deleteWritersMark ? new Op[] { join, mark, Op.delete(keys.writersMark(), DeleteOption.DEFAULT) }
                : new Op[] { join, mark };
    }

    // Gets 0: the lock key, 1: the writers' mark, 2: one intent, 3: this reader's key.
    private static Op[] sharedReads(EtcdLockKeys keys, ByteSequence reader) {
        return new Op[] { Op.get(keys.lock(), GetOption.DEFAULT), Op.get(keys.writersMark(), GetOption.DEFAULT),
            Op.get(keys.intentsStart(), range(keys.intentsEnd(), 1)), Op.get(reader, GetOption.DEFAULT) };
    }

    // Deletes a readers' or writers' mark unless it was put again since it was read; a mark left behind (a failure,
    // or a race lost) only makes the next attempt of the other side one transaction longer.
    private void deleteMarkQuietly(String key, ByteSequence markKey, KeyValue mark, long deadline) {
        try {
            await("mark deletion", key, this.kv.txn()
                .If(unchanged(markKey, mark))
                .Then(Op.delete(markKey, DeleteOption.DEFAULT))
                .commit(), deadline);
        }
        catch (RuntimeException ex) {
            // Left for the next attempt that finds it unneeded.
        }
    }

    private AcquireResult holderRemaining(long holderLease, long deadline) {
        try {
            long ttl = await("lease time-to-live", "", this.leases.timeToLive(holderLease, LeaseOption.DEFAULT),
                    deadline).getTTL();
            return (ttl >= 0) ? AcquireResult.heldByAnother(Duration.ofSeconds(ttl)) : AcquireResult.heldByAnother();
        }
        catch (RuntimeException ex) {
            // Only a hint for the waiter's next attempt: without it the engine's backoff decides.
            return AcquireResult.heldByAnother();
        }
    }

    private void forget(ByteSequence storedKey, String ownerToken, long deadline) {
        HeldLease lease = this.held.remove(new Holder(storedKey, ownerToken));
        if (lease != null) {
            revokeQuietly(lease.leaseId(), deadline);
        }
    }

    private void revokePrevious(TxnResponse reply, long deadline) {
        reply.getDeleteResponses().stream()
            .flatMap(deleted -> deleted.getPrevKvs().stream())
            .forEach(previous -> revokeQuietly(previous.getLease(), deadline));
    }

    // A lease no key of ours is on any more: it expires by itself, so nobody waits for its revocation.
    private void revokeInBackground(long leaseId) {
        if (leaseId != 0) {
            this.leases.revoke(leaseId);
        }
    }

    // Revokes a lease of ours without failing the call; a lease not revoked expires on the server by itself.
    private void revokeQuietly(long leaseId, long deadline) {
        if (leaseId == 0) {
            return;
        }
        CompletableFuture<?> revoke = this.leases.revoke(leaseId);
        try {
            revoke.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException ex) {
            // Already gone, or etcd did not answer: the lease's TTL ends it.
        }
    }

    private <T> T await(String operation, String key, CompletableFuture<T> request, long deadline) {
        try {
            return request.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            request.cancel(true);
            throw new EtcdUnavailableException(this.where + " did not answer the " + operation + of(key)
                    + " within the time limit of " + this.options.requestTimeout(), ex);
        }
        catch (InterruptedException ex) {
            request.cancel(true);
            Thread.currentThread().interrupt();
            throw new EtcdUnavailableException("Interrupted while waiting for " + this.where + " to answer the "
                    + operation + of(key), ex);
        }
        catch (ExecutionException ex) {
            Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
            if (isLeaseNotFound(cause)) {
                throw new LeaseNotFound(cause);
            }
            throw new EtcdUnavailableException(this.where + " refused the " + operation + of(key) + ": "
                    + cause.getMessage(), cause);
        }
    }

    private long deadline() {
        return System.nanoTime() + this.options.requestTimeout().toNanos();
    }

    private static boolean isOurs(KeyValue current, ByteSequence owner, long leaseId) {
        return current.getLease() == leaseId && current.getValue().equals(owner);
    }

    private static @Nullable KeyValue kvAt(TxnResponse reply, int get) {
        List<KeyValue> found = rangeAt(reply, get);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<KeyValue> rangeAt(TxnResponse reply, int get) {
        List<GetResponse> gets = reply.getGetResponses();
        return (get < gets.size()) ? gets.get(get).getKvs() : List.of();
    }

    private static Cmp absent(ByteSequence storedKey) {
        return new Cmp(storedKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0));
    }

    // A missing key's mod revision compares as 0, so an absent mark must still be absent.
    private static Cmp unchanged(ByteSequence storedKey, @Nullable KeyValue seen) {
        return new Cmp(storedKey, Cmp.Op.EQUAL, CmpTarget.modRevision((seen != null) ? seen.getModRevision() : 0));
    }

    private static GetOption range(ByteSequence end, int limit) {
        return GetOption.builder().withRange(end).withLimit(limit).withKeysOnly(true).build();
    }

    private static PutOption withLease(long leaseId) {
        return PutOption.builder().withLeaseId(leaseId).build();
    }

    private static Op[] concat(Op[] first, Op... more) {
        Op[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    private static boolean isLeaseNotFound(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
                return true;
            }
            String message = cause.getMessage();
            if (message != null && message.contains("requested lease not found")) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    // Rounded up: the server must never end a lease before the engine's validity, which counts the full lease time.
    static long ttlSeconds(Duration leaseTime) {
        long millis = Math.max(1, leaseTime.toMillis());
        return (millis + 999) / 1000;
    }

    private static String of(String key) {
        return key.isEmpty() ? "" : " of lock '" + key + "'";
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /** Who holds a lease: the etcd key (the lock key, a reader's key or an intent) and the owner token. */
    private record Holder(ByteSequence storedKey, String ownerToken) {
    }

    /** A lease this backend granted: its id and the TTL it was granted with. */
    private record HeldLease(long leaseId, long ttlSeconds) {
    }

    /** The lease a request named no longer exists on the server (expired or revoked): a loss, reported as a value. */
    private static final class LeaseNotFound extends RuntimeException {

        private static final long serialVersionUID = 1L;

        LeaseNotFound(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }

    }

}
