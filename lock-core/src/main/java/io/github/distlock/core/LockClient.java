package io.github.distlock.core;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Acquires leases on keys from a shared lock service.
 *
 * <p>Guarantees: a lease is granted only by the backend's atomic attempt; when the backend cannot be asked (it
 * throws or times out) the call fails with {@link LockUnavailableException} and no lease is held (fail closed).
 * Waiting never spins: it sleeps until a release notification or a jittered backoff, bounded by the remaining
 * wait time. Invalid keys and durations are rejected before any backend call.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1.0
 */
public interface LockClient {

    /**
     * Makes one attempt to acquire the lock, ignoring the request's wait time.
     * @param request what to lock
     * @return the lease, or empty if another owner holds the key
     * @throws LockUnavailableException if the backend failed
     * @throws IllegalArgumentException if the request is invalid for this client
     */
    Optional<Lease> tryAcquire(LockRequest request);

    /**
     * Acquires the lock, waiting up to the request's wait time for a holder to release it.
     * @param request what to lock
     * @return the lease
     * @throws LockNotAcquiredException if the lock stayed held for the whole wait time
     * @throws LockUnavailableException if the backend failed
     * @throws InterruptedException if the thread was interrupted while waiting; no lease is held then
     * @throws IllegalArgumentException if the request is invalid for this client
     */
    Lease acquire(LockRequest request) throws InterruptedException;

    /**
     * Acquires the lock asynchronously, waiting as {@link #acquire} does, for callers that must not block (reactive
     * and other non-blocking code).
     *
     * <p>Guarantees: the future completes with the lease, or exceptionally with what {@link #acquire} would throw
     * ({@link LockNotAcquiredException}, {@link LockUnavailableException}); no lease is held then. Cancelling the
     * future before the grant leaves no lease: a grant that races the cancel is released. The lease is not
     * thread-reentrant, whatever the request says, since asynchronous work releases it from another thread.
     *
     * <p>This default runs {@link #acquire} on a new daemon thread per call, which is parked while it waits (and
     * interrupted by a cancel); {@code LockEngine} overrides it with an acquire that parks no thread at all.
     * @param request what to lock
     * @return the future lease
     * @since 0.1.0
     */
    default CompletableFuture<Lease> acquireAsync(LockRequest request) {
        CompletableFuture<Lease> result = new CompletableFuture<>();
        LockRequest notReentrant = request.withReentrant(false);
        Thread waiter = new Thread(() -> {
            try {
                Lease lease = acquire(notReentrant);
                if (!result.complete(lease)) {
                    lease.release();
                }
            }
            catch (Throwable ex) {
                result.completeExceptionally(ex);
            }
        }, "distlock-acquire-async");
        waiter.setDaemon(true);
        result.whenComplete((lease, failure) -> {
            if (result.isCancelled()) {
                waiter.interrupt();
            }
        });
        waiter.start();
        return result;
    }

    /**
     * Acquires the lock (waiting as {@link #acquire} does), runs the action, checks that the lease was held
     * throughout and releases it.
     *
     * <p>Guarantees: the action runs only once the lease is granted, and the lease is released whether the action
     * returns or throws. The action's result is returned only if the lease was still held when the action
     * returned; if the lease was lost while the action ran, the result is discarded and {@link LeaseLostException}
     * is thrown, so the caller knows that part of the work may have run unprotected. An exception of the action
     * reaches the caller unchanged. Built on {@link #acquire}, so every client gets it without implementing it.
     * @param <T> the action's result type
     * @param request what to lock
     * @param action the work to protect
     * @return the action's result
     * @throws LeaseLostException if the lease was lost while the action ran (its result is discarded)
     * @throws Exception whatever {@link #acquire} or the action throws
     */
    default <T> T callWithLock(LockRequest request, Callable<T> action) throws Exception {
        try (Lease lease = acquire(request)) {
            T result = action.call();
            lease.checkHeld();
            return result;
        }
    }

    /**
     * Acquires several keys together: every request's key, in sorted order, all or none within one wait.
     *
     * <p>Guarantees: the keys are taken one by one in their natural {@code String} order, whatever the order of the
     * collection, so two callers whose key sets overlap never deadlock (each waits only for keys above those it
     * holds); a key asked for twice on the same terms is taken once. The wait is one deadline for the whole set, the
     * longest {@link LockRequest#waitTime()} of the requests. When a key is not granted in time, the backend fails or
     * the thread is interrupted, every lease already taken is released before the exception is thrown, so no key is
     * held then. Each key gets its own lease (its own fencing token, renewal and loss), see {@link MultiKeyLease}.
     *
     * <p>Not a single atomic grant: while the set is being taken, its first keys are already held and others may
     * wait for them. Keys held by this thread before the call are re-entered as {@link #acquire} re-enters them; a
     * thread that holds a key above one of the set's keys can still deadlock with a caller that takes them in
     * order, as with any nested locking.
     * @param requests what to lock, at least one
     * @return the leases of all the keys
     * @throws LockNotAcquiredException if a key stayed held for the whole wait (naming that key); no lease is held
     * @throws LockUnavailableException if the backend failed; no lease is held
     * @throws InterruptedException if the thread was interrupted while waiting; no lease is held
     * @throws IllegalArgumentException if there is no request, one key is asked for on different terms, or a
     *     request is invalid for this client
     * @since 0.1.0
     */
    default MultiKeyLease acquireAll(Collection<LockRequest> requests) throws InterruptedException {
        return LeaseSet.acquireAll(this, requests);
    }

    /**
     * Makes one attempt per key, in sorted order, to acquire them all, ignoring the requests' wait times; when one
     * is held by another owner, releases those already taken.
     * @param requests what to lock, at least one
     * @return the leases of all the keys, or empty if one of them is held by another owner (then none is held)
     * @throws LockUnavailableException if the backend failed; no lease is held
     * @throws IllegalArgumentException as for {@link #acquireAll}
     * @since 0.1.0
     */
    default Optional<MultiKeyLease> tryAcquireAll(Collection<LockRequest> requests) {
        return LeaseSet.tryAcquireAll(this, requests);
    }

    /**
     * Acquires several keys together without blocking the caller, by the rules of {@link #acquireAll}: each key is
     * asked for with {@link #acquireAsync} once the one before it is granted. The future completes with the leases
     * of all the keys, or exceptionally (with what {@link #acquireAll} would throw) with none held. Cancelling it
     * cancels the acquire in flight and releases the keys already taken.
     * @param requests what to lock, at least one
     * @return the future leases
     * @throws IllegalArgumentException as for {@link #acquireAll} (thrown, not in the future)
     * @since 0.1.0
     */
    default CompletableFuture<MultiKeyLease> acquireAllAsync(Collection<LockRequest> requests) {
        return LeaseSet.acquireAllAsync(this, requests);
    }

    /**
     * Returns whether every lease from this client carries a fencing token.
     * @return {@code true} if the backend issues fencing tokens
     */
    boolean supportsFencingTokens();

    /**
     * Returns whether this client grants {@link LockMode#READ} requests (shared leases). A client that does not
     * refuses them with {@link IllegalArgumentException} before any backend call.
     * @return {@code true} if the backend offers shared leases
     * @since 0.1.0
     */
    default boolean supportsSharedLeases() {
        return false;
    }

    /**
     * Returns the short name of the backend, for logs and metrics.
     * @return the backend name, for example {@code in-memory}
     */
    String backendName();

}
