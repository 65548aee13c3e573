package io.github.distlock.core.spi;

import java.time.Duration;

/**
 * The mechanism of a lock service: one atomic attempt to take a key, an owner-checked renew and an owner-checked
 * release. Policy (waiting, backoff, reentrancy, renewal scheduling, lease-loss signalling) lives in the engine,
 * so a backend stays small and is tested by one contract kit.
 *
 * <h2>Rules every backend follows</h2>
 * <ul>
 * <li><b>One attempt.</b> {@link #tryAcquire} makes one atomic attempt and returns; it never sleeps, loops,
 * retries or waits for the key. It owns no threads on behalf of callers.</li>
 * <li><b>Ownership by token.</b> A lease belongs to the {@code ownerToken} the engine passes in (at least 128
 * random bits, unique per lease), never to a thread or a connection. Renew and release may be called from any
 * thread and must act only if the stored owner is that token: a stale holder can never extend or delete another
 * owner's lease, and a retried release after a lost reply is harmless.</li>
 * <li><b>Server-side time.</b> Expiry is decided by the lock service's clock or lease mechanism (Redis
 * {@code PX}, database {@code now()}, an etcd lease, a ZooKeeper session), never by the application's clock.</li>
 * <li><b>Loss is a value.</b> A lease that is no longer ours is reported by returning {@code false} from
 * {@link #renewIfOwner} or {@link #releaseIfOwner}; exceptions mean the service could not be asked (I/O failure,
 * timeout), and the engine turns them into {@code LockUnavailableException}. Every call must be bounded in time
 * by the backend's own connection and read timeouts.</li>
 * <li><b>Own namespace.</b> The backend maps keys to its storage (escaping, prefixes, hash tags) so that two
 * different keys never share a stored entry. Keys are arbitrary non-empty strings up to {@link #maxKeyLength()}
 * characters (unicode, {@code /} and {@code :} included).</li>
 * </ul>
 *
 * <h2>How the services map onto it</h2>
 * <ul>
 * <li><b>Redis</b>: a Lua script sets the owner token with {@code PX} if the key is absent; renew and release
 * compare the stored token first.</li>
 * <li><b>JDBC</b>: one statement inserts the row or takes over an expired one, using the database's clock; renew and
 * release are {@code UPDATE}/{@code DELETE ... WHERE owner = ?} on their own short transaction.</li>
 * <li><b>ZooKeeper</b>: the lease is an ephemeral node created in the client's session, with the owner token as
 * data; {@code leaseTime} is bounded by the session timeout, which is what actually expires it. Renew checks that
 * the node still exists with our data and that the session is alive; release deletes it with the version read.
 * The node's creation zxid is the fencing token. Release notification is a watch on the node.</li>
 * <li><b>etcd</b>: the lease is an etcd lease granted with the lease time; acquire is a transaction that puts the
 * key with that lease only if its create revision is zero; renew is a keep-alive after checking the value;
 * release deletes the key guarded by our value and revokes the lease. The create revision is the fencing token.
 * Release notification is a watch on the key.</li>
 * </ul>
 *
 * <p>Optional capabilities are separate interfaces ({@link FencingLeaseBackend}, {@link ReleaseNotifyingBackend})
 * that the engine discovers with {@code instanceof}.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1.0
 */
public interface LeaseBackend extends AutoCloseable {

    /**
     * Makes one atomic attempt to take the key for the given owner.
     * @param key the lock key, already validated against {@link #maxKeyLength()}
     * @param ownerToken the owner token of the new lease
     * @param leaseTime how long the service keeps the lease without renewal
     * @return granted (with a fencing token if this backend issues them), or held by another owner
     * @throws RuntimeException if the service could not be asked; the engine then releases the owner token on a
     *     best-effort basis in case the attempt was applied but its reply was lost
     */
    AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime);

    /**
     * Extends the lease to {@code leaseTime} from now (service time) if the key is still held by the owner.
     * Never recreates a key that is gone.
     * @param key the lock key
     * @param ownerToken the owner token the lease was granted to
     * @param leaseTime the new lease time, counted from now
     * @return {@code true} if renewed; {@code false} if the lease is no longer held by this owner
     * @throws RuntimeException if the service could not be asked
     */
    boolean renewIfOwner(String key, String ownerToken, Duration leaseTime);

    /**
     * Deletes the lease if the key is still held by the owner, and wakes waiters where the backend can.
     * @param key the lock key
     * @param ownerToken the owner token the lease was granted to
     * @return {@code true} if this owner held the key and it is now free; {@code false} if it was not held by
     *     this owner (expired, taken over or already released)
     * @throws RuntimeException if the service could not be asked
     */
    boolean releaseIfOwner(String key, String ownerToken);

    /**
     * Returns the short name of this backend for logs, metrics and messages.
     * @return the name, for example {@code redis}
     */
    String name();

    /**
     * Returns the longest key, in characters, this backend accepts. Longer keys are rejected before any call.
     * @return the maximum key length
     */
    default int maxKeyLength() {
        return 1024;
    }

    /**
     * Releases resources the backend owns (connections, subscriptions). Leases still held expire on the server.
     */
    @Override
    default void close() {
    }

}
