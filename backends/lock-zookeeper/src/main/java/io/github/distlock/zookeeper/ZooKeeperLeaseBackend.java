package io.github.distlock.zookeeper;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.ReleaseCallbacks;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;
import io.github.distlock.core.spi.SharedLeaseBackend;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease backend on Apache ZooKeeper through one Curator client, shared by every lock of the backend, with exclusive
 * and shared ({@code READ}) leases. Never thread-bound: a lease belongs to the owner token the engine passes in, so any
 * thread may renew or release it.
 *
 * <h2>What a lease is</h2>
 * A lease is an ephemeral node {@code <basePath>/locks/<encoded key>} created in the client's session, holding the
 * owner token and the lease time, together with its grant's marker {@code <basePath>/grants/<encoded key>~<encoded
 * owner token>}, an empty ephemeral node created and deleted in the same transactions as the lock node. The marker
 * names one grant: a node's version starts again at the same number for every new node of a key, so a version alone
 * cannot tell the grant a contender found expired from the next grant of the same key. It ends at whichever comes
 * first:
 * <ul>
 * <li>the end of the session (the holder crashed, or was cut off from the ensemble for longer than the session
 * timeout): ZooKeeper deletes the node;</li>
 * <li>the lease time after its grant or last renewal, measured on the ZooKeeper leader's clock: each grant and
 * renewal writes the node, so its modification time ({@code mtime}) is set by the leader; a contender compares it with
 * the leader's current time, read by writing {@code <basePath>/clock}, and takes over a node whose lease has run out in
 * one transaction that deletes it with the version it read (so a renewal that came in between wins) and deletes the
 * marker of the grant it read (so a node granted anew meanwhile, by another contender's takeover or after a release,
 * is left alone), and creates its own node and marker.</li>
 * </ul>
 * A lease may therefore be shorter than the session, but never longer: a session may expire on the server as soon as
 * one session timeout after the server last heard from the client, and the engine counts a lease valid until
 * lease time after the start of its last renewal, so a longer lease could still be believed held after the server
 * had deleted its node. {@link #tryAcquire} and {@link #renewIfOwner} refuse a lease time longer than the session
 * timeout the server negotiated with {@link IllegalArgumentException} (configure the session timeout to be at least the
 * longest lease time; the server caps it at 20 ticks unless its {@code maxSessionTimeout} says otherwise).
 *
 * <h2>Operations</h2>
 * <ul>
 * <li>{@link #tryAcquire}: one transaction that creates the lock node and its marker and writes the lock node's data
 * once more, whose stat (and so the fencing token) comes back in the same round trip. When the node exists, it is
 * read; the leader's time is read only then, to tell a holder's remaining time or to take over an expired node. A
 * grant that was applied but whose reply was lost (and retried by Curator) is recognised by its owner token and
 * session, and reported as granted.</li>
 * <li>{@link #renewIfOwner}: reads the node, checks that it holds our owner token and belongs to the client's live
 * session, and rewrites it with the version read (which moves its {@code mtime} on). A node whose lease had run out
 * before the renewal reached the leader is deleted and reported lost rather than revived.</li>
 * <li>{@link #releaseIfOwner}: reads the node, checks the owner token, and deletes it with the version read, and its
 * marker, in one transaction; a retried release after a lost reply finds no node or another owner's node and deletes
 * nothing.</li>
 * </ul>
 *
 * <h2>Shared leases (readers)</h2>
 * While readers hold a key, its lock node is not a writer's ephemeral node but a <em>container</em> node holding the
 * mark {@code distlock-2-readers}, whose children are the readers: one ephemeral node {@code <encoded owner token>}
 * per reader, created in the reader's own session and holding its owner token and lease time (format
 * {@code distlock-2}). A reader's lease thus ends as a writer's does: with the reader's session (ZooKeeper deletes the
 * child; the other readers keep theirs, since no reader's session owns the container), or when the child's
 * {@code mtime} plus its lease time has passed on the leader's clock. Readers never write the container, so readers
 * that come and go or renew do not contend with each other.
 * <ul>
 * <li>{@link #tryAcquireShared}: one transaction that checks that no writer waits (below), enters the lock node
 * (creates the container; or, when it exists, joins it; or takes over a writer's node whose lease ran out, guarded by
 * version and marker as a writer's takeover is) and creates the reader's child, written a second time so that its
 * stat, and so the token, comes back. The first transaction assumes a free key; a refused one names the operation
 * that failed, and the next is planned from what that operation was about (a writer's node refuses children; a
 * container deleted meanwhile is created again), at most four transactions per call.</li>
 * <li>Writers: a writer's create of the lock node fails while the container exists. Its attempt then reads the
 * readers' children: while any reader's lease runs, it is refused with the longest remaining reader lease; otherwise
 * one transaction deletes the expired readers' children with the versions read and the container, and creates the
 * writer's node and marker. ZooKeeper refuses to delete a node that has children, so a reader that joins meanwhile
 * makes the takeover fail, and a reader that renews meanwhile changes its child's version: the markers' safety
 * (one grant per takeover, see {@code ZooKeeperTakeoverTests}) holds without a marker per reader, whose child name,
 * its owner token, already names its grant. A container that crashed readers left empty is taken over at once.</li>
 * <li>{@link #renewSharedIfOwner} and {@link #releaseSharedIfOwner} work on the reader's child as renewal and
 * release do on a writer's node. A reader's release deletes its child and, in the same transaction, the container
 * when no other child is left: the deleted lock node is what every backend's release watch waits for, so the last
 * reader's release wakes the waiting writers as a writer's release does. A container whose last reader's session
 * ended is deleted by ZooKeeper's container clean-up (or taken over by the next writer first); until then waiting
 * writers retry at the remaining lease time they were told.</li>
 * <li>Tokens: a reader's token is its child's creation zxid, the zxid of the transaction that granted it, from the
 * same sequence as writers' tokens. A writer's node is created only after every reader's child was deleted, and a
 * reader's child only after the writer's node before it was deleted, so a writer's token is higher than every reader's
 * and writer's before it, and a reader's higher than every writer's before it.</li>
 * </ul>
 *
 * <h2>Waiting writers' intents</h2>
 * This backend has no queue: a writer that waits records its intent with {@link #tryAcquireAsWaitingWriter} when
 * refused, as an ephemeral child {@code <encoded owner token>} of the container {@code <basePath>/intents/<encoded
 * key>}, holding how long it waits; its wait ends at the child's creation time plus that length on the leader's clock.
 * Every reader's grant transaction starts by creating and deleting {@code <basePath>/intents/<encoded key>}, which
 * fails while any intent of the key exists, so a writer's intent recorded before a reader's grant keeps that reader out
 * (readers already holding keep their leases and renew). A reader that finds only intents whose wait ended deletes
 * them, with the versions read, and their container in its grant transaction instead. An intent ends when its writer
 * is granted or calls {@link #endWriterIntent}, when its wait has passed, or with the writer's session. Readers refused
 * because of an intent retry with their backoff: the intent's end is not announced.
 *
 * <h2>Session and connection loss</h2>
 * A connection state of {@code SUSPENDED} means the leases are in an unknown state: every call fails fast with
 * {@link ZooKeeperUnavailableException}, renewals therefore fail, and the engine reports each lease lost at the end of
 * its validity, which comes before the server can expire the session. {@code LOST}, or a new session, means that every
 * lease granted in the old session is gone: its next renewal returns {@code false} without asking the server, and a
 * holder never keeps believing that it holds a node of an expired session (unlike Curator's own recipes, CURATOR-206).
 *
 * <h2>Fencing tokens</h2>
 * The token is the node's creation zxid ({@code czxid}: the leader epoch in the high 32 bits, a counter in the low
 * 32). ZooKeeper orders every write by zxid, and a key's next node is created after its previous node was deleted, so
 * each grant's token is strictly greater than every earlier grant's of that key: across expiry, leader change and
 * ensemble restart with its data kept (the epoch only grows). The assumption is that the ensemble's data is never
 * lost or rolled back; an ensemble rebuilt from empty data starts again from small zxids. Nothing is stored per key
 * beyond the live lock nodes, their markers or readers, and the intents of writers that wait.
 *
 * <h2>Node format</h2>
 * Lock nodes carry the format {@code distlock-2}, as do readers' children and intents; the readers' container
 * carries the mark {@code distlock-2-readers}. A node in any other format (written by an earlier version of this
 * backend, whose grants had no marker, or by something else) is treated as held: it is never taken over or released,
 * and ends with its session. An earlier version, which has no shared leases, likewise treats a readers' container as
 * held, so instances of both versions never grant a writer beside readers.
 *
 * <h2>Release notification</h2>
 * One watch per waited-for key, shared by every waiter of the backend on that key, and re-armed while anyone waits: a
 * deleted node (a writer's release, the last reader's release, takeover, session expiry) wakes the waiters of that key
 * only. After a reconnection the watches
 * are re-armed and every waiter is woken once, in case a release was missed.
 *
 * <h2>Keys and nodes</h2>
 * Keys of 1 to {@link ZooKeeperLockOptions#maxKeyLength()} characters; the node name is the key's UTF-8 bytes with
 * every byte other than {@code A-Z a-z 0-9 - _} written as {@code %XX}, so distinct keys have distinct names and no name
 * is {@code .} or {@code ..}; a marker's name joins the encoded key and the encoded owner token with {@code ~}, which
 * neither contains. A key with an unpaired surrogate has no UTF-8 form and is rejected with
 * {@link IllegalArgumentException}. Lock nodes all live under one parent, markers under another and intents' containers
 * under a third; containers (readers', intents') are deleted with their last child, or after a crash by the next
 * contender or ZooKeeper's container clean-up: no node is left behind per key. Containers need ZooKeeper 3.5.3 or
 * later.
 *
 * <h2>Time bounds</h2>
 * Calls fail fast when the client is not connected; a call that loses its connection midway is bounded by the client's
 * retry policy and connection timeout (Curator waits for a reconnection at most that long per retry).
 *
 * <p>Created with {@link #create}; the client is the caller's, already started, and is not closed by the backend.
 * Nodes are created with the client's ACL provider, so a client with digest credentials and a creator-only ACL
 * provider keeps lock nodes readable and writable by its user only. Thread-safe.
 *
 * @since 0.1.0
 */
public final class ZooKeeperLeaseBackend implements FencingLeaseBackend, ReleaseNotifyingBackend, SharedLeaseBackend {

    /** The backend's name in logs, metrics and messages. */
    public static final String NAME = "zookeeper";

    /** The longest owner token accepted, in (ASCII) characters. */
    public static final int MAX_OWNER_TOKEN_LENGTH = 128;

    private static final Logger logger = LoggerFactory.getLogger(ZooKeeperLeaseBackend.class);

    private static final byte[] NO_DATA = new byte[0];

    // The data of a lock node that readers hold (a container whose children are the readers). Not a LockNodeData, so
    // an earlier version of this backend treats the node as held by someone else and never takes it over.
    private static final byte[] READERS_MARK = "distlock-2-readers".getBytes(StandardCharsets.US_ASCII);

    // A shared acquire re-plans its transaction after each refusal that the state it read explains; past this many
    // transactions (the key changes form under it all the time) it reports the key held, to be tried again at once.
    private static final int MAX_SHARED_TRANSACTIONS = 4;

    // ZooKeeper never hands out session id 0.
    private static final long NO_SESSION = 0;

    private final CuratorFramework client;

    private final ZooKeeperLockOptions options;

    private final String locksPrefix;

    private final String grantsPrefix;

    private final String intentsPrefix;

    private final ReleaseCallbacks callbacks = new ReleaseCallbacks();

    // Keys with at least one open release subscription, with how many; changed by subscribe and by closing one.
    private final ConcurrentHashMap<String, Integer> waitedFor = new ConcurrentHashMap<>();

    // Keys whose watch is armed (or being armed); an entry is removed when its watch fires or could not be set.
    private final Set<String> armed = ConcurrentHashMap.newKeySet();

    // The session in which each lease held through this backend was granted, by key and owner; added on a grant,
    // removed on release or loss.
    private final ConcurrentHashMap<String, Long> sessionOfGrant = new ConcurrentHashMap<>();

    // The session in which each waiting writer's intent was recorded through this backend, by key and owner; added
    // when recorded, removed when ended or when the writer is granted. An attempt in the same live session does not
    // record it again.
    private final ConcurrentHashMap<String, Long> sessionOfIntent = new ConcurrentHashMap<>();

    // The client's current session; written by the connection-state listener (NO_SESSION once LOST), read by renewals.
    private volatile long liveSession;

    private final ConnectionStateListener connectionListener = this::onConnectionStateChanged;

    private final CuratorWatcher watcher = this::onWatchedEvent;

    private final AtomicBoolean closed = new AtomicBoolean();

    private ZooKeeperLeaseBackend(CuratorFramework client, ZooKeeperLockOptions options) {
        this.client = client;
        this.options = options;
        this.locksPrefix = options.locksPath() + "/";
        this.grantsPrefix = options.grantsPath() + "/";
        this.intentsPrefix = options.intentsPath() + "/";
    }

    /**
     * Creates a backend with the {@link ZooKeeperLockOptions#defaults() default options}.
     * @param client a started Curator client; not closed by the backend
     * @return the backend
     * @throws ZooKeeperUnavailableException if the client does not connect within its connection timeout or the
     *     backend's nodes cannot be created
     */
    public static ZooKeeperLeaseBackend create(CuratorFramework client) {
        return create(client, ZooKeeperLockOptions.defaults());
    }

    /**
     * Creates a backend: waits up to the client's connection timeout for a connection and creates the backend's
     * persistent nodes if they are missing.
     * @param client a started Curator client; not closed by the backend
     * @param options where the nodes live and which keys are accepted
     * @return the backend
     * @throws ZooKeeperUnavailableException if the client does not connect within its connection timeout or the
     *     backend's nodes cannot be created
     * @throws IllegalStateException if the client was not started or is closed
     */
    public static ZooKeeperLeaseBackend create(CuratorFramework client, ZooKeeperLockOptions options) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(options, "options");
        if (client.getState() != CuratorFrameworkState.STARTED) {
            throw new IllegalStateException("The Curator client must be started before a backend is created on it; "
                    + "its state is " + client.getState());
        }
        int connectionTimeout = client.getZookeeperClient().getConnectionTimeoutMs();
        try {
            if (!client.blockUntilConnected(connectionTimeout, TimeUnit.MILLISECONDS)) {
                throw new ZooKeeperUnavailableException("Could not connect to ZooKeeper at "
                        + client.getZookeeperClient().getCurrentConnectionString() + " within " + connectionTimeout
                        + " ms", null);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new ZooKeeperUnavailableException("Interrupted while connecting to ZooKeeper", ex);
        }
        ZooKeeperLeaseBackend backend = new ZooKeeperLeaseBackend(client, options);
        backend.createNodes();
        client.getConnectionStateListenable().addListener(backend.connectionListener);
        backend.liveSession = backend.currentSession();
        return backend;
    }

    private void createNodes() {
        for (String path : new String[] {this.options.basePath(), this.options.locksPath(),
                this.options.grantsPath(), this.options.intentsPath(), this.options.clockPath()}) {
            try {
                this.client.create().creatingParentsIfNeeded().forPath(path, NO_DATA);
            }
            catch (KeeperException.NodeExistsException ex) {
                // Made by an earlier run or another instance.
            }
            catch (Exception ex) {
                throw failure("create of the backend's node " + path + " (for", "all keys", ex);
            }
        }
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        String path = pathOf(key);
        requireValidOwnerToken(ownerToken);
        long leaseMillis = leaseMillis(leaseTime);
        requireConnected("acquire", key);
        requireLeaseWithinSession(leaseTime);
        byte[] data = LockNodeData.encode(ownerToken, leaseMillis);
        return call("acquire", key, () -> {
            try {
                return granted(key, ownerToken, commit(grantOps(key, path, ownerToken, data, new ArrayList<>(3))));
            }
            catch (KeeperException.NodeExistsException ex) {
                return whenNodeExists(key, path, ownerToken, data);
            }
        });
    }

    private AcquireResult whenNodeExists(String key, String path, String ownerToken, byte[] data) throws Exception {
        Stat stat = new Stat();
        byte[] stored = dataOf(path, stat);
        if (stored == null) {
            // Released since the create: the engine's next attempt may take it at once.
            return AcquireResult.heldByAnother(Duration.ZERO);
        }
        LockNodeData held = LockNodeData.decode(stored);
        if (held == null) {
            // Readers hold the key, or the node is foreign (held, never taken over).
            return isReadersMark(stored) ? whenReadersHold(key, path, ownerToken, data, stat)
                    : AcquireResult.heldByAnother();
        }
        if (isOurs(held, stat, ownerToken)) {
            // Our own grant, applied on the server, whose reply was lost and retried by Curator.
            return granted(key, ownerToken, stat);
        }
        long remaining = stat.getMtime() + held.leaseMillis() - serverTime();
        if (remaining > 0) {
            return AcquireResult.heldByAnother(Duration.ofMillis(remaining));
        }
        // The holder's session lives on but its lease ran out unrenewed: take the node over, unless it was renewed
        // (a new version) or is no longer the grant that was read (its marker is gone: released, or taken over by
        // another contender, whose new node may well have the version read).
        List<CuratorOp> takeover = new ArrayList<>(5);
        takeover.add(this.client.transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
        takeover.add(this.client.transactionOp().delete().forPath(markerPath(key, held.ownerToken())));
        grantOps(key, path, ownerToken, data, takeover);
        try {
            return granted(key, ownerToken, commit(takeover));
        }
        catch (KeeperException.BadVersionException | KeeperException.NoNodeException
                | KeeperException.NodeExistsException ex) {
            // Renewed, released or granted anew since it was read; or our own takeover, applied, whose reply was lost
            // and whose retry found the node it had made.
            Stat now = new Stat();
            LockNodeData current = LockNodeData.decode(dataOf(path, now));
            return (current != null && isOurs(current, now, ownerToken)) ? granted(key, ownerToken, now)
                    : AcquireResult.heldByAnother();
        }
    }

    private boolean isOurs(LockNodeData held, Stat stat, String ownerToken) {
        return held.ownerToken().equals(ownerToken) && stat.getEphemeralOwner() == currentSession();
    }

    /**
     * Adds to {@code ops} the operations of a grant: the lock node and its marker, and a second write of the lock
     * node's data. A create in a transaction answers with its path only; the write, in the same transaction and so
     * at the same zxid, answers with the new node's stat (its creation zxid, the fencing token, and its session).
     */
    private List<CuratorOp> grantOps(String key, String path, String ownerToken, byte[] data, List<CuratorOp> ops)
            throws Exception {
        ops.add(this.client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(path, data));
        ops.add(this.client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
            .forPath(markerPath(key, ownerToken), NO_DATA));
        ops.add(this.client.transactionOp().setData().withVersion(0).forPath(path, data));
        return ops;
    }

    /** Commits a transaction of a grant and returns the lock node's stat, written by its last operation. */
    private Stat commit(List<CuratorOp> ops) throws Exception {
        List<CuratorTransactionResult> results = this.client.transaction().forOperations(ops);
        CuratorTransactionResult written = results.get(results.size() - 1);
        if (written.getType() != OperationType.SET_DATA || written.getResultStat() == null) {
            throw new IllegalStateException("ZooKeeper's answer to a grant lacks the lock node's stat: " + results);
        }
        return written.getResultStat();
    }

    /** Deletes a lock node with the version given and its marker, in one transaction. */
    private void deleteGrant(String key, String path, String ownerToken, int version) throws Exception {
        this.client.transaction().forOperations(
                this.client.transactionOp().delete().withVersion(version).forPath(path),
                this.client.transactionOp().delete().forPath(markerPath(key, ownerToken)));
    }

    /** Reads a lock node's data and stat, or returns {@code null} when there is no node. */
    private byte @Nullable [] dataOf(String path, Stat stat) throws Exception {
        try {
            return this.client.getData().storingStatIn(stat).forPath(path);
        }
        catch (KeeperException.NoNodeException ex) {
            return null;
        }
    }

    private AcquireResult granted(String key, String ownerToken, Stat stat) {
        this.sessionOfGrant.put(grantKey(key, ownerToken), stat.getEphemeralOwner());
        return AcquireResult.granted(stat.getCzxid());
    }

    /** Returns the leader's current time, as the modification time of a write. */
    private long serverTime() throws Exception {
        return this.client.setData().forPath(this.options.clockPath(), NO_DATA).getMtime();
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        String path = pathOf(key);
        requireValidOwnerToken(ownerToken);
        return renew("renew", key, path, path, ownerToken, leaseTime);
    }

    /**
     * Renews the lease whose node is {@code node}: the lock node itself, or a reader's child of it. A renewal that
     * arrives after the lease ran out deletes the node instead.
     */
    private boolean renew(String operation, String key, String path, String node, String ownerToken,
            Duration leaseTime) {
        long leaseMillis = leaseMillis(leaseTime);
        String grant = grantKey(key, ownerToken);
        Long grantedIn = this.sessionOfGrant.get(grant);
        long live = this.liveSession;
        if (grantedIn != null && grantedIn != live) {
            // The session of the grant was lost: ZooKeeper has deleted (or is deleting) the node.
            this.sessionOfGrant.remove(grant);
            return false;
        }
        requireConnected(operation, key);
        requireLeaseWithinSession(leaseTime);
        return call(operation, key, () -> {
            Stat stat = new Stat();
            LockNodeData held = LockNodeData.decode(dataOf(node, stat));
            if (held == null || !held.ownerToken().equals(ownerToken)) {
                return lost(grant);
            }
            if (stat.getEphemeralOwner() != currentSession()) {
                // Ours by token but not by session: a node this client cannot keep alive.
                return lost(grant);
            }
            Stat renewed;
            try {
                renewed = this.client.setData().withVersion(stat.getVersion())
                        .forPath(node, LockNodeData.encode(ownerToken, leaseMillis));
            }
            catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
                return lost(grant);
            }
            if (renewed.getMtime() >= stat.getMtime() + held.leaseMillis()) {
                // The lease had run out on the leader's clock before this renewal arrived: a contender may already
                // consider it free, so it is not revived.
                if (node.equals(path)) {
                    deleteQuietly(key, path, ownerToken, renewed.getVersion());
                }
                else {
                    deleteReaderQuietly(path, node, renewed.getVersion());
                }
                return lost(grant);
            }
            return true;
        });
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        String path = pathOf(key);
        requireValidOwnerToken(ownerToken);
        this.sessionOfGrant.remove(grantKey(key, ownerToken));
        requireConnected("release", key);
        return call("release", key, () -> {
            Stat stat = new Stat();
            LockNodeData held = LockNodeData.decode(dataOf(path, stat));
            if (held == null || !held.ownerToken().equals(ownerToken)) {
                return false;
            }
            try {
                deleteGrant(key, path, ownerToken, stat.getVersion());
                return true;
            }
            catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
                return false;
            }
        });
    }

    /**
     * Adds to {@code ops} the transaction's check that no writer waits: the key's intents node is created and deleted
     * again, which fails with {@code NodeExists} while it exists. The same transaction grants the reader, so a writer
     * that records its intent a moment earlier keeps this reader out.
     */
    private List<CuratorOp> noIntentOps(String key, List<CuratorOp> ops) throws Exception {
        String intents = intentsPathOf(key);
        ops.add(this.client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(intents, NO_DATA));
        ops.add(this.client.transactionOp().delete().forPath(intents));
        return ops;
    }

    /**
     * Reads the key's intents: returns {@code null} while one of them has a wait that has not ended (on the leader's
     * clock), else the operations that delete the ended ones and their parent with the versions read, so that a
     * writer that records an intent or whose intent is refreshed meanwhile makes the transaction fail.
     */
    private @Nullable List<CuratorOp> endedIntentOps(String key) throws Exception {
        String intents = intentsPathOf(key);
        List<String> writers;
        try {
            writers = this.client.getChildren().forPath(intents);
        }
        catch (KeeperException.NoNodeException ex) {
            return noIntentOps(key, new ArrayList<>(2));
        }
        List<CuratorOp> ops = new ArrayList<>(writers.size() + 1);
        long now = writers.isEmpty() ? 0 : serverTime();
        for (String writer : writers) {
            Stat stat = new Stat();
            byte[] stored = dataOf(intents + '/' + writer, stat);
            if (stored == null) {
                continue;
            }
            LockNodeData intent = LockNodeData.decode(stored);
            if (intent == null || stat.getMtime() + intent.leaseMillis() > now) {
                return null;
            }
            ops.add(this.client.transactionOp().delete().withVersion(stat.getVersion())
                .forPath(intents + '/' + writer));
        }
        // Fails with NotEmpty when a writer recorded its intent since the read.
        ops.add(this.client.transactionOp().delete().forPath(intents));
        return ops;
    }

    @Override
    public AcquireResult tryAcquireShared(String key, String ownerToken, Duration leaseTime) {
        String path = pathOf(key);
        requireValidOwnerToken(ownerToken);
        long leaseMillis = leaseMillis(leaseTime);
        requireConnected("shared acquire", key);
        requireLeaseWithinSession(leaseTime);
        byte[] data = LockNodeData.encode(ownerToken, leaseMillis);
        return call("shared acquire", key, () -> acquireShared(key, path, ownerToken, data));
    }

    /**
     * The transactions of a shared acquire. Each is: the check that no writer waits (or the deletion of the intents
     * whose wait ended), then the entry into the lock node (create it as the readers' container, join the existing
     * container, or take over an expired exclusive node), then the reader's own ephemeral child and a second write of
     * it, whose stat carries the token. The first transaction assumes a free key; a refusal names the operation that
     * failed, and the next transaction is planned from it, reading only what that operation was about.
     */
    private AcquireResult acquireShared(String key, String path, String ownerToken, byte[] data) throws Exception {
        String reader = readerPath(path, ownerToken);
        List<CuratorOp> guard = noIntentOps(key, new ArrayList<>(2));
        SharedEntry entry = SharedEntry.CREATE;
        int takeoverVersion = 0;
        String takenOverOwner = "";
        for (int transaction = 0; transaction < MAX_SHARED_TRANSACTIONS; transaction++) {
            List<CuratorOp> ops = new ArrayList<>(guard);
            int entryAt = ops.size();
            if (entry == SharedEntry.TAKE_OVER) {
                ops.add(this.client.transactionOp().delete().withVersion(takeoverVersion).forPath(path));
                ops.add(this.client.transactionOp().delete().forPath(markerPath(key, takenOverOwner)));
            }
            if (entry != SharedEntry.JOIN) {
                ops.add(this.client.transactionOp().create().withMode(CreateMode.CONTAINER)
                    .forPath(path, READERS_MARK));
            }
            int readerAt = ops.size();
            ops.add(this.client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(reader, data));
            ops.add(this.client.transactionOp().setData().withVersion(0).forPath(reader, data));
            try {
                return granted(key, ownerToken, commit(ops));
            }
            catch (KeeperException ex) {
                int failed = failedOperation(ex);
                if (failed < 0) {
                    throw ex;
                }
                if (failed < entryAt) {
                    // A writer's intent, or the ended intents read last time changed meanwhile.
                    List<CuratorOp> ended = endedIntentOps(key);
                    if (ended == null) {
                        return AcquireResult.heldByAnother();
                    }
                    guard = ended;
                    continue;
                }
                if (failed == readerAt && ex instanceof KeeperException.NodeExistsException) {
                    // Our own grant, applied on the server, whose reply was lost and retried by Curator.
                    Stat stat = new Stat();
                    LockNodeData held = LockNodeData.decode(dataOf(reader, stat));
                    return (held != null && isOurs(held, stat, ownerToken)) ? granted(key, ownerToken, stat)
                            : AcquireResult.heldByAnother();
                }
                if (failed == readerAt && ex instanceof KeeperException.NoNodeException) {
                    // The container we meant to join was deleted by its last reader's release.
                    entry = SharedEntry.CREATE;
                    continue;
                }
                if (entry == SharedEntry.CREATE && ex instanceof KeeperException.NodeExistsException) {
                    // Readers' container, most likely: join it; a writer's node refuses the child instead.
                    entry = SharedEntry.JOIN;
                    continue;
                }
                // A writer's node (children refused), or a takeover whose node changed since it was read.
                Stat stat = new Stat();
                byte[] stored = dataOf(path, stat);
                if (stored == null) {
                    entry = SharedEntry.CREATE;
                    continue;
                }
                if (isReadersMark(stored)) {
                    entry = SharedEntry.JOIN;
                    continue;
                }
                LockNodeData held = LockNodeData.decode(stored);
                if (held == null) {
                    return AcquireResult.heldByAnother();
                }
                long remaining = stat.getMtime() + held.leaseMillis() - serverTime();
                if (remaining > 0) {
                    return AcquireResult.heldByAnother(Duration.ofMillis(remaining));
                }
                // The writer's lease ran out unrenewed: take its node over, guarded as a writer's takeover is.
                entry = SharedEntry.TAKE_OVER;
                takeoverVersion = stat.getVersion();
                takenOverOwner = held.ownerToken();
            }
        }
        return AcquireResult.heldByAnother(Duration.ZERO);
    }

    /** How a shared acquire's transaction enters the lock node. */
    private enum SharedEntry {

        /** No lock node: create it as the readers' container. */
        CREATE,

        /** The readers' container exists: add a child to it. */
        JOIN,

        /** A writer's node whose lease ran out: delete it with the version read and its marker, then create. */
        TAKE_OVER

    }

    /**
     * A writer's attempt while readers hold the key (its lock node is the readers' container): refused while any
     * reader's lease runs (with the longest remaining one); otherwise the container and the children of the readers
     * whose lease ran out are deleted with the versions read, and the writer's node is created, in one transaction.
     * A reader that joins or renews meanwhile makes it fail: the container is not empty, or a child's version moved.
     */
    private AcquireResult whenReadersHold(String key, String path, String ownerToken, byte[] data, Stat container)
            throws Exception {
        List<String> readers;
        try {
            readers = this.client.getChildren().forPath(path);
        }
        catch (KeeperException.NoNodeException ex) {
            return AcquireResult.heldByAnother(Duration.ZERO);
        }
        List<CuratorOp> takeover = new ArrayList<>(readers.size() + 4);
        long now = readers.isEmpty() ? 0 : serverTime();
        long longest = 0;
        for (String reader : readers) {
            Stat stat = new Stat();
            byte[] stored = dataOf(path + '/' + reader, stat);
            if (stored == null) {
                continue;
            }
            LockNodeData held = LockNodeData.decode(stored);
            if (held == null) {
                return AcquireResult.heldByAnother();
            }
            long remaining = stat.getMtime() + held.leaseMillis() - now;
            if (remaining > 0) {
                longest = Math.max(longest, remaining);
            }
            else {
                takeover.add(this.client.transactionOp().delete().withVersion(stat.getVersion())
                    .forPath(path + '/' + reader));
            }
        }
        if (longest > 0) {
            return AcquireResult.heldByAnother(Duration.ofMillis(longest));
        }
        takeover.add(this.client.transactionOp().delete().withVersion(container.getVersion()).forPath(path));
        grantOps(key, path, ownerToken, data, takeover);
        try {
            return granted(key, ownerToken, commit(takeover));
        }
        catch (KeeperException.BadVersionException | KeeperException.NoNodeException
                | KeeperException.NodeExistsException | KeeperException.NotEmptyException ex) {
            // A reader joined or renewed, or the node changed hands; or our own takeover, applied, whose reply was
            // lost and whose retry found the node it had made.
            Stat after = new Stat();
            byte[] stored = dataOf(path, after);
            if (stored == null) {
                return AcquireResult.heldByAnother(Duration.ZERO);
            }
            LockNodeData current = LockNodeData.decode(stored);
            return (current != null && isOurs(current, after, ownerToken)) ? granted(key, ownerToken, after)
                    : AcquireResult.heldByAnother();
        }
    }

    /**
     * A writer's attempt that, when refused, records the writer's intent: an ephemeral child
     * {@code <intents>/<key>/<owner>} of the key's intents container, holding the wait's length, so that its wait
     * ends at its creation time plus that length on the leader's clock (or with the writer's session). Recorded once
     * per wait and session. A granted writer deletes its intent at once.
     */
    @Override
    public AcquireResult tryAcquireAsWaitingWriter(String key, String ownerToken, Duration leaseTime,
            Duration remainingWait) {
        AcquireResult result = tryAcquire(key, ownerToken, leaseTime);
        String grant = grantKey(key, ownerToken);
        if (result.isGranted()) {
            if (this.sessionOfIntent.containsKey(grant)) {
                endIntentQuietly(key, ownerToken);
            }
            return result;
        }
        long waitMillis = remainingWait.toMillis();
        Long recordedIn = this.sessionOfIntent.get(grant);
        if (waitMillis > 0 && (recordedIn == null || recordedIn != this.liveSession)) {
            call("record of the writer's intent", key, () -> {
                recordIntent(key, ownerToken, waitMillis);
                return null;
            });
        }
        return result;
    }

    private void recordIntent(String key, String ownerToken, long waitMillis) throws Exception {
        String intents = intentsPathOf(key);
        String intent = intents + '/' + LockNodeNames.encode(ownerToken);
        byte[] data = LockNodeData.encode(ownerToken, waitMillis);
        for (int transaction = 0; transaction < MAX_SHARED_TRANSACTIONS; transaction++) {
            try {
                this.client.transaction().forOperations(
                        this.client.transactionOp().create().withMode(CreateMode.CONTAINER).forPath(intents, NO_DATA),
                        this.client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(intent, data));
                this.sessionOfIntent.put(grantKey(key, ownerToken), this.liveSession);
                return;
            }
            catch (KeeperException.NodeExistsException ex) {
                try {
                    this.client.create().withMode(CreateMode.EPHEMERAL).forPath(intent, data);
                }
                catch (KeeperException.NodeExistsException recorded) {
                    // Recorded by an earlier attempt of this wait, whose reply was lost.
                }
                catch (KeeperException.NoNodeException gone) {
                    // The container's last intent ended meanwhile: create it again.
                    continue;
                }
                this.sessionOfIntent.put(grantKey(key, ownerToken), this.liveSession);
                return;
            }
        }
        // Not recorded, as the key's intents kept changing form: the next attempt of the wait tries again.
    }

    @Override
    public void endWriterIntent(String key, String ownerToken) {
        pathOf(key);
        requireValidOwnerToken(ownerToken);
        requireConnected("end of the writer's intent", key);
        call("end of the writer's intent", key, () -> {
            endIntent(key, ownerToken);
            return null;
        });
        releaseIfOwner(key, ownerToken);
    }

    /** Deletes the writer's intent, and the key's intents container with it when it was the last one. */
    private void endIntent(String key, String ownerToken) throws Exception {
        this.sessionOfIntent.remove(grantKey(key, ownerToken));
        String intents = intentsPathOf(key);
        String intent = intents + '/' + LockNodeNames.encode(ownerToken);
        try {
            this.client.transaction().forOperations(this.client.transactionOp().delete().forPath(intent),
                    this.client.transactionOp().delete().forPath(intents));
        }
        catch (KeeperException.NotEmptyException ex) {
            // Other writers wait too.
            deleteIfExists(intent, -1);
        }
        catch (KeeperException.NoNodeException ex) {
            // Ended already: its wait ran out and a reader deleted it, or its session ended.
        }
    }

    private void endIntentQuietly(String key, String ownerToken) {
        try {
            endIntent(key, ownerToken);
        }
        catch (Exception ex) {
            // It ends with its wait or with the session.
            logger.debug("Could not end the intent of a writer granted lock '{}'", key, ex);
        }
    }

    @Override
    public boolean renewSharedIfOwner(String key, String ownerToken, Duration leaseTime) {
        String path = pathOf(key);
        requireValidOwnerToken(ownerToken);
        return renew("shared renew", key, path, readerPath(path, ownerToken), ownerToken, leaseTime);
    }

    @Override
    public boolean releaseSharedIfOwner(String key, String ownerToken) {
        String path = pathOf(key);
        requireValidOwnerToken(ownerToken);
        String reader = readerPath(path, ownerToken);
        this.sessionOfGrant.remove(grantKey(key, ownerToken));
        requireConnected("shared release", key);
        return call("shared release", key, () -> {
            Stat stat = new Stat();
            LockNodeData held = LockNodeData.decode(dataOf(reader, stat));
            if (held == null || !held.ownerToken().equals(ownerToken)) {
                return false;
            }
            try {
                deleteReader(path, reader, stat.getVersion());
                return true;
            }
            catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
                return false;
            }
        });
    }

    /**
     * Deletes a reader's child with the version given and, when it was the last reader, the container in the same
     * transaction: the lock node's deletion is what the release watches of every backend wait for.
     */
    private void deleteReader(String path, String reader, int version) throws Exception {
        try {
            this.client.transaction().forOperations(
                    this.client.transactionOp().delete().withVersion(version).forPath(reader),
                    this.client.transactionOp().delete().forPath(path));
        }
        catch (KeeperException.NotEmptyException ex) {
            // Other readers hold the key (or their children await a writer's takeover).
            this.client.delete().withVersion(version).forPath(reader);
            // Two last readers releasing at once each find the other's child and delete only their own, which would
            // leave an empty container and no deletion for the waiting writers' watches: whoever finds it empty
            // deletes it.
            deleteEmptyReadersContainer(path);
        }
    }

    /**
     * Deletes the key's readers' container if it has no reader left. Only a never-written node is deleted: a
     * readers' container is created with its mark and never written (version 0), while every writer's node is
     * written once more in its grant transaction, so the version check keeps a writer's node that replaced the
     * container meanwhile; the deletion fails with {@code NotEmpty} if a reader joined.
     */
    private void deleteEmptyReadersContainer(String path) throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = this.client.getData().storingStatIn(stat).forPath(path);
        }
        catch (KeeperException.NoNodeException ex) {
            return;
        }
        if (stat.getNumChildren() != 0 || stat.getVersion() != 0 || !Arrays.equals(data, READERS_MARK)) {
            return;
        }
        try {
            this.client.transaction().forOperations(
                    this.client.transactionOp().setData().withVersion(0).forPath(path, READERS_MARK),
                    this.client.transactionOp().delete().withVersion(1).forPath(path));
        }
        catch (KeeperException.NoNodeException | KeeperException.BadVersionException
                | KeeperException.NotEmptyException ex) {
            // Gone, replaced by a writer's node, or joined by a reader: nothing to delete.
        }
    }

    private void deleteReaderQuietly(String path, String reader, int version) {
        try {
            deleteReader(path, reader, version);
        }
        catch (Exception ex) {
            logger.debug("Could not delete expired reader node {}", reader, ex);
        }
    }

    private void deleteIfExists(String node, int version) throws Exception {
        try {
            this.client.delete().withVersion(version).forPath(node);
        }
        catch (KeeperException.NoNodeException ex) {
            // Gone already.
        }
    }

    /** Returns the index of the operation that made a transaction fail, or -1 if the failure was not an operation's. */
    private static int failedOperation(KeeperException ex) {
        List<OpResult> results = ex.getResults();
        if (results == null) {
            return -1;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult error
                    && error.getErr() != KeeperException.Code.OK.intValue()
                    && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isReadersMark(byte[] data) {
        return Arrays.equals(data, READERS_MARK);
    }

    @Override
    public ReleaseSubscription subscribeToReleases(String key, Runnable onRelease) {
        String path = pathOf(key);
        this.waitedFor.merge(key, 1, Integer::sum);
        ReleaseSubscription registration = this.callbacks.add(key, onRelease);
        if (this.armed.add(key)) {
            arm(key, path);
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                registration.close();
                this.waitedFor.computeIfPresent(key, (k, count) -> (count > 1) ? count - 1 : null);
            }
        };
    }

    /** Sets the key's watch in the background; a key that is free already is announced at once. */
    private void arm(String key, String path) {
        try {
            this.client.checkExists().usingWatcher(this.watcher).inBackground((client, event) -> {
                if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
                    this.callbacks.notifyReleased(key);
                }
                else if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
                    // Not set (connection loss): re-armed on reconnection; until then waiters fall back on their
                    // bounded retries.
                    this.armed.remove(key);
                }
            }).forPath(path);
        }
        catch (Exception ex) {
            this.armed.remove(key);
            logger.debug("Could not watch lock '{}'", key, ex);
        }
    }

    private void onWatchedEvent(WatchedEvent event) {
        String path = event.getPath();
        if (path == null || !path.startsWith(this.locksPrefix) || this.closed.get()) {
            return;
        }
        String key = LockNodeNames.decode(path.substring(this.locksPrefix.length()));
        this.armed.remove(key);
        if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
            this.callbacks.notifyReleased(key);
        }
        if (this.waitedFor.containsKey(key) && this.armed.add(key)) {
            arm(key, path);
        }
    }

    private void onConnectionStateChanged(CuratorFramework client, ConnectionState state) {
        switch (state) {
            case CONNECTED, RECONNECTED -> {
                this.liveSession = currentSession();
                this.armed.clear();
                this.waitedFor.keySet().forEach(key -> {
                    if (this.armed.add(key)) {
                        arm(key, this.locksPrefix + LockNodeNames.encode(key));
                    }
                });
                this.callbacks.notifyEveryone();
            }
            case LOST -> {
                // Every lease of the old session is lost; renewals report it without asking the server.
                this.liveSession = NO_SESSION;
                logger.warn("ZooKeeper session lost: every lease held through backend '{}' is lost", NAME);
            }
            default -> {
                // SUSPENDED: unknown; calls fail fast until the connection returns, so leases run out on time.
            }
        }
    }

    private long currentSession() {
        try {
            return this.client.getZookeeperClient().getZooKeeper().getSessionId();
        }
        catch (Exception ex) {
            return NO_SESSION;
        }
    }

    /**
     * Returns the session timeout the server negotiated with the client, which bounds every lease time.
     * @return the negotiated session timeout
     */
    public Duration sessionTimeout() {
        try {
            return Duration.ofMillis(this.client.getZookeeperClient().getZooKeeper().getSessionTimeout());
        }
        catch (Exception ex) {
            throw failure("read of the session timeout (for", "all keys", ex);
        }
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
    public ZooKeeperLockOptions options() {
        return this.options;
    }

    /**
     * Stops release notifications and connection-state tracking. The client stays open (it is the caller's); leases
     * still held end with its session or their lease time.
     */
    @Override
    public void close() {
        if (this.closed.compareAndSet(false, true)) {
            this.client.getConnectionStateListenable().removeListener(this.connectionListener);
            this.callbacks.clear();
            this.waitedFor.clear();
            this.armed.clear();
        }
    }

    private boolean lost(String grant) {
        this.sessionOfGrant.remove(grant);
        return false;
    }

    private void deleteQuietly(String key, String path, String ownerToken, int version) {
        try {
            deleteGrant(key, path, ownerToken, version);
        }
        catch (Exception ex) {
            // Renewed or deleted by someone else meanwhile, or unreachable: either way not ours to keep.
            logger.debug("Could not delete expired lock node {}", path, ex);
        }
    }

    private void requireConnected(String operation, String key) {
        if (this.closed.get()) {
            throw new IllegalStateException("ZooKeeper backend is closed");
        }
        if (!this.client.getZookeeperClient().isConnected()) {
            throw new ZooKeeperUnavailableException("ZooKeeper client is not connected to "
                    + this.client.getZookeeperClient().getCurrentConnectionString() + "; the " + operation + " of '"
                    + key + "' was not attempted", null);
        }
    }

    private void requireLeaseWithinSession(Duration leaseTime) {
        Duration session = sessionTimeout();
        if (leaseTime.compareTo(session) > 0) {
            throw new IllegalArgumentException("Lease time " + leaseTime + " is longer than the ZooKeeper session "
                    + "timeout " + session + " negotiated with the server: the session could expire, and its node "
                    + "be granted to another owner, while the holder still counts its lease valid. Use a shorter "
                    + "lease time or a longer session timeout (the server caps it with its maxSessionTimeout)");
        }
    }

    private String pathOf(String key) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("Lock key must not be empty");
        }
        if (key.length() > this.options.maxKeyLength()) {
            throw new IllegalArgumentException("Lock key is " + key.length() + " characters long; the ZooKeeper "
                    + "backend accepts at most " + this.options.maxKeyLength());
        }
        return this.locksPrefix + LockNodeNames.encode(key);
    }

    /** The marker of the grant of {@code key} to {@code ownerToken}; the key was checked by {@link #pathOf}. */
    private String markerPath(String key, String ownerToken) {
        return this.grantsPrefix + LockNodeNames.encode(key) + '~' + LockNodeNames.encode(ownerToken);
    }

    /** A reader's child of the lock node {@code path}. */
    private static String readerPath(String path, String ownerToken) {
        return path + '/' + LockNodeNames.encode(ownerToken);
    }

    /** The container of the key's waiting writers' intents; the key was checked by {@link #pathOf}. */
    private String intentsPathOf(String key) {
        return this.intentsPrefix + LockNodeNames.encode(key);
    }

    private static String grantKey(String key, String ownerToken) {
        // Owner tokens are printable ASCII without spaces, so the separator cannot be part of one.
        return ownerToken + ' ' + key;
    }

    /** Runs the ZooKeeper requests of one lock operation; whatever they throw becomes a failure of that operation. */
    private <T> T call(String operation, String key, ZooKeeperRequests<T> requests) {
        try {
            return requests.run();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw failure(operation, key, ex);
        }
        catch (Exception ex) {
            throw failure(operation, key, ex);
        }
    }

    @FunctionalInterface
    private interface ZooKeeperRequests<T> {

        T run() throws Exception;

    }

    private ZooKeeperUnavailableException failure(String operation, String key, Exception ex) {
        String server = this.client.getZookeeperClient().getCurrentConnectionString();
        return new ZooKeeperUnavailableException("ZooKeeper at " + server + " could not carry out the " + operation
                + " of '" + key + "': " + ex, ex);
    }

    static long leaseMillis(Duration leaseTime) {
        if (leaseTime.isNegative() || leaseTime.isZero()) {
            throw new IllegalArgumentException("Lease time must be positive, was " + leaseTime);
        }
        return Math.max(1, leaseTime.toMillis());
    }

    static void requireValidOwnerToken(String ownerToken) {
        if (ownerToken.isEmpty() || ownerToken.length() > MAX_OWNER_TOKEN_LENGTH) {
            throw new IllegalArgumentException("Owner token must have 1 to " + MAX_OWNER_TOKEN_LENGTH
                    + " characters, had " + ownerToken.length());
        }
        for (int i = 0; i < ownerToken.length(); i++) {
            char c = ownerToken.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("Owner token must consist of printable ASCII characters");
            }
        }
    }

    /** The data of a lock node: a format version, the owner token and the lease time in milliseconds. */
    record LockNodeData(String ownerToken, long leaseMillis) {

        // Format 1 had no grant markers; its nodes are treated as foreign (held, never taken over).
        private static final String FORMAT = "distlock-2";

        static byte[] encode(String ownerToken, long leaseMillis) {
            return (FORMAT + "\n" + ownerToken + "\n" + leaseMillis).getBytes(StandardCharsets.US_ASCII);
        }

        /** Returns the decoded data, or {@code null} for a node that was not written by this backend. */
        static @Nullable LockNodeData decode(byte @Nullable [] data) {
            if (data == null) {
                return null;
            }
            String[] parts = new String(data, StandardCharsets.US_ASCII).split("\n", -1);
            if (parts.length != 3 || !parts[0].equals(FORMAT)) {
                return null;
            }
            try {
                return new LockNodeData(parts[1], Long.parseLong(parts[2]));
            }
            catch (NumberFormatException ex) {
                return null;
            }
        }

    }

    /** Node names for keys: UTF-8 with every byte outside {@code A-Z a-z 0-9 - _} written as {@code %XX}. */
    static final class LockNodeNames {

        private static final char[] HEX = "0123456789ABCDEF".toCharArray();

        private LockNodeNames() {
        }

        static String encode(String key) {
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                    i++;
                }
                else if (Character.isSurrogate(c)) {
                    throw new IllegalArgumentException("Lock key contains an unpaired surrogate at index " + i
                            + "; it has no UTF-8 form and would collide with other keys");
                }
            }
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            StringBuilder name = new StringBuilder(bytes.length * 3);
            for (byte b : bytes) {
                int value = b & 0xff;
                if ((value >= 'A' && value <= 'Z') || (value >= 'a' && value <= 'z') || (value >= '0' && value <= '9')
                        || value == '-' || value == '_') {
                    name.append((char) value);
                }
                else {
                    name.append('%').append(HEX[value >> 4]).append(HEX[value & 0xf]);
                }
            }
            return name.toString();
        }

        static String decode(String name) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(name.length());
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '%' && i + 2 < name.length()) {
                    bytes.write(Integer.parseInt(name, i + 1, i + 3, 16));
                    i += 2;
                }
                else {
                    bytes.write(c);
                }
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }

    }

}
