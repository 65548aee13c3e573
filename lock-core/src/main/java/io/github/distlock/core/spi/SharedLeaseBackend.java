package io.github.distlock.core.spi;

import java.time.Duration;

/**
 * Capability: besides exclusive leases, the backend grants shared leases ({@code READ} mode): many readers of a key
 * at once, or one writer alone, and writers are not starved by a stream of readers.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li><b>Readers exclude writers.</b> {@link #tryAcquire} and {@link #tryAcquireOrQueue} refuse while any shared
 * lease of the key is held (reporting the longest remaining reader lease when known), and {@link #tryAcquireShared}
 * refuses while an exclusive lease is held or a hand-off to a writer waits to be claimed.</li>
 * <li><b>A queued writer is the writer's intent.</b> While the key's queue (of {@link QueueingLeaseBackend}) holds a
 * writer whose wait has not ended, {@link #tryAcquireShared} refuses new readers; readers that hold keep their
 * leases and renew. A writer that waits therefore blocks the readers that come after it, and gets the key once the
 * readers before it are gone: the release of the last shared lease hands the key to the writer at the head of the
 * queue, as a writer's release does. A writer's intent ends with its wait ({@link #leaveQueue} or the wait's end), so
 * one that gives up blocks readers no longer than it asked to wait. Readers never queue: they wait for a release
 * announcement where the backend gives them ({@link ReleaseNotifyingBackend}), else back off.</li>
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
public interface SharedLeaseBackend extends QueueingLeaseBackend {

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
     * of the queue or announces the release.
     * @param key the lock key
     * @param ownerToken the owner token the shared lease was granted to
     * @return {@code true} if this owner held a shared lease on the key and it is now gone; {@code false} if not
     * @throws RuntimeException if the service could not be asked
     */
    boolean releaseSharedIfOwner(String key, String ownerToken);

}
