package io.github.distlock.core.spi;

import java.time.Duration;

/**
 * Capability: besides exclusive leases, the backend grants shared leases ({@code READ} mode): many readers of a key
 * at once, or one writer alone, and writers are not starved by a stream of readers.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li><b>Readers exclude writers.</b> {@link #tryAcquire} and {@link #tryAcquireAsWaitingWriter} refuse while any shared
 * lease of the key is held (reporting the longest remaining reader lease when known), and {@link #tryAcquireShared}
 * refuses while an exclusive lease is held or a hand-off to a writer waits to be claimed.</li>
 * <li><b>A waiting writer's intent keeps new readers out.</b> A writer that waits makes its attempts with
 * {@link #tryAcquireAsWaitingWriter}, which, when it is refused, records (or keeps) the writer's intent until its wait
 * ends; while an intent whose wait has not ended exists for the key, {@link #tryAcquireShared} refuses new readers.
 * Readers that hold keep their leases and renew. A writer that waits therefore blocks the readers that come after it,
 * and gets the key once the readers before it are gone. An intent ends with its wait (by the service's clock, so a
 * writer that vanished blocks readers no longer than it asked to wait) or with {@link #endWriterIntent}. On a
 * {@link QueueingLeaseBackend} the intent is the writer's place in the key's queue: the two intent methods are then
 * {@link QueueingLeaseBackend#tryAcquireOrQueue} and {@link QueueingLeaseBackend#leaveQueue}, and the release of the
 * last shared lease hands the key to the writer at the head of the queue, as a writer's release does. Readers never
 * queue: they wait for a release announcement where the backend gives them ({@link ReleaseNotifyingBackend}), else
 * back off; a backend that keeps intents without a queue announces the release of the last shared lease of a key to
 * its release subscribers.</li>
 * <li><b>Tokens.</b> On a {@link FencingLeaseBackend}, a shared grant carries a token from the same sequence as
 * exclusive grants: higher than the token of every writer granted before it, lower than every writer's after it. A
 * writer's token is thus higher than every token (reader or writer) issued before it for the key, and a resource that
 * keeps the highest token it has seen refuses a reader's write after a newer writer's as it refuses a stale writer's.
 * Two readers' tokens only order their grants, not any exclusion between them.</li>
 * <li><b>Same lease rules.</b> Shared leases are owned by their owner token, expire by the service's clock after
 * their lease time, and are renewed and released owner-checked, exactly as {@link LeaseBackend} says for exclusive
 * ones; a shared lease is renewed and released only through the shared methods.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1.0
 */
public interface SharedLeaseBackend extends LeaseBackend {

    /**
     * Makes one atomic attempt to take a shared lease on the key for the given owner.
     * @param key the lock key, already validated against {@link #maxKeyLength()}
     * @param ownerToken the owner token of the new shared lease
     * @param leaseTime how long the service keeps the lease without renewal
     * @return granted (with a fencing token if this backend issues them), or held by a writer (with its remaining
     *     lease time when known; none when a waiting writer is the reason)
     * @throws RuntimeException if the service could not be asked
     */
    AcquireResult tryAcquireShared(String key, String ownerToken, Duration leaseTime);

    /**
     * Makes one atomic exclusive attempt for a writer that waits, as {@link LeaseBackend#tryAcquire} does; when it is
     * refused, records the writer's intent (or keeps the one an earlier attempt of the same wait recorded) until the
     * wait ends, so that new readers are refused meanwhile. The engine makes every attempt of one wait with one owner
     * token, and calls {@link #endWriterIntent} when the wait ends without the lease.
     *
     * <p>This default serves a {@link QueueingLeaseBackend}, whose intent is the writer's place in the queue: it is
     * {@link QueueingLeaseBackend#tryAcquireOrQueue}. A backend without a queue overrides it.
     * @param key the lock key, already validated against {@link #maxKeyLength()}
     * @param ownerToken the owner token of the writer's whole wait
     * @param leaseTime how long the service keeps the lease without renewal
     * @param remainingWait how much longer the writer waits; its intent ends then
     * @return granted, or held (by readers or another writer) with the holder's remaining lease time when known
     * @throws RuntimeException if the service could not be asked
     * @throws UnsupportedOperationException from this default, on a backend without a queue that did not override it
     */
    default AcquireResult tryAcquireAsWaitingWriter(String key, String ownerToken, Duration leaseTime,
            Duration remainingWait) {
        return queueOf(this).tryAcquireOrQueue(key, ownerToken, leaseTime, remainingWait);
    }

    /**
     * Ends the writer's intent on the key; if the key was granted to this owner meanwhile (an attempt whose reply
     * was lost, or a hand-off), releases it.
     * @param key the lock key
     * @param ownerToken the owner token of the writer's wait
     * @throws RuntimeException if the service could not be asked; the intent then ends with its wait
     * @throws UnsupportedOperationException from this default, which is {@link QueueingLeaseBackend#leaveQueue},
     *     on a backend without a queue that did not override it
     */
    default void endWriterIntent(String key, String ownerToken) {
        queueOf(this).leaveQueue(key, ownerToken);
    }

    /**
     * Extends the shared lease to {@code leaseTime} from now (service time) if the owner still holds one on the key.
     * @param key the lock key
     * @param ownerToken the owner token the shared lease was granted to
     * @param leaseTime the new lease time, counted from now
     * @return {@code true} if renewed; {@code false} if the owner no longer holds a shared lease on the key
     * @throws RuntimeException if the service could not be asked
     */
    boolean renewSharedIfOwner(String key, String ownerToken, Duration leaseTime);

    /**
     * Deletes the owner's shared lease on the key; when it was the last one, hands the key to the writer at the head
     * of the queue (on a {@link QueueingLeaseBackend}) or announces the release.
     * @param key the lock key
     * @param ownerToken the owner token the shared lease was granted to
     * @return {@code true} if this owner held a shared lease on the key and it is now gone; {@code false} if not
     * @throws RuntimeException if the service could not be asked
     */
    boolean releaseSharedIfOwner(String key, String ownerToken);

    private static QueueingLeaseBackend queueOf(SharedLeaseBackend backend) {
        if (backend instanceof QueueingLeaseBackend queue) {
            return queue;
        }
        throw new UnsupportedOperationException("Backend '" + backend.name() + "' has shared leases but no queue; it "
                + "must implement tryAcquireAsWaitingWriter and endWriterIntent itself");
    }

}
