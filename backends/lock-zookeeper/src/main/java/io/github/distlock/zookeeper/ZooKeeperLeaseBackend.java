package io.github.distlock.zookeeper;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease backend on Apache ZooKeeper through one Curator client, shared by every lock of the backend. Never
 * thread-bound: a lease belongs to the owner token the engine passes in, so any thread may renew or release it.
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
 * beyond the live lock nodes and their markers.
 *
 * <h2>Node format</h2>
 * Lock nodes carry the format {@code distlock-2}. A node in any other format (written by an earlier version of this
 * backend, whose grants had no marker, or by something else) is treated as held: it is never taken over or released,
 * and ends with its session.
 *
 * <h2>Release notification</h2>
 * One watch per waited-for key, shared by every waiter of the backend on that key, and re-armed while anyone waits: a
 * deleted node (release, takeover, session expiry) wakes the waiters of that key only. After a reconnection the watches
 * are re-armed and every waiter is woken once, in case a release was missed.
 *
 * <h2>Keys and nodes</h2>
 * Keys of 1 to {@link ZooKeeperLockOptions#maxKeyLength()} characters; the node name is the key's UTF-8 bytes with
 * every byte other than {@code A-Z a-z 0-9 - _} written as {@code %XX}, so distinct keys have distinct names and no name
 * is {@code .} or {@code ..}; a marker's name joins the encoded key and the encoded owner token with {@code ~}, which
 * neither contains. A key with an unpaired surrogate has no UTF-8 form and is rejected with
 * {@link IllegalArgumentException}. Lock nodes all live under one parent, and markers under another: no node is left
 * behind per key.
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
public final class ZooKeeperLeaseBackend implements FencingLeaseBackend, ReleaseNotifyingBackend {

    /** The backend's name in logs, metrics and messages. */
    public static final String NAME = "zookeeper";

    /** The longest owner token accepted, in (ASCII) characters. */
    public static final int MAX_OWNER_TOKEN_LENGTH = 128;

    private static final Logger logger = LoggerFactory.getLogger(ZooKeeperLeaseBackend.class);

    private static final byte[] NO_DATA = new byte[0];

    // ZooKeeper never hands out session id 0.
    private static final long NO_SESSION = 0;

    private final CuratorFramework client;

    private final ZooKeeperLockOptions options;

    private final String locksPrefix;

    private final String grantsPrefix;

    private final ReleaseCallbacks callbacks = new ReleaseCallbacks();

    // Keys with at least one open release subscription, with how many; changed by subscribe and by closing one.
    private final ConcurrentHashMap<String, Integer> waitedFor = new ConcurrentHashMap<>();

    // Keys whose watch is armed (or being armed); an entry is removed when its watch fires or could not be set.
    private final Set<String> armed = ConcurrentHashMap.newKeySet();

    // The session in which each lease held through this backend was granted, by key and owner; added on a grant,
    // removed on release or loss.
    private final ConcurrentHashMap<String, Long> sessionOfGrant = new ConcurrentHashMap<>();

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
                this.options.grantsPath(), this.options.clockPath()}) {
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
            return AcquireResult.heldByAnother();
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
        long leaseMillis = leaseMillis(leaseTime);
        String grant = grantKey(key, ownerToken);
        Long grantedIn = this.sessionOfGrant.get(grant);
        long live = this.liveSession;
        if (grantedIn != null && grantedIn != live) {
            // The session of the grant was lost: ZooKeeper has deleted (or is deleting) the node.
            this.sessionOfGrant.remove(grant);
            return false;
        }
        requireConnected("renew", key);
        requireLeaseWithinSession(leaseTime);
        return call("renew", key, () -> {
            Stat stat = new Stat();
            LockNodeData held = LockNodeData.decode(dataOf(path, stat));
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
                        .forPath(path, LockNodeData.encode(ownerToken, leaseMillis));
            }
            catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
                return lost(grant);
            }
            if (renewed.getMtime() >= stat.getMtime() + held.leaseMillis()) {
                // The lease had run out on the leader's clock before this renewal arrived: a contender may already
                // consider it free, so it is not revived.
                deleteQuietly(key, path, ownerToken, renewed.getVersion());
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
