package io.github.distlock.core;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A granted lock: the handle returned by {@link LockClient}. Closing it releases the hold.
 *
 * <p>A lease is owned by its owner token, not by a thread: it may be checked, renewed and released from any
 * thread. When the same thread acquired the same key reentrantly it received a separate handle to the same lease;
 * each handle is released once and the lease is returned to the backend when the last handle is released.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1.0
 */
public interface Lease extends AutoCloseable {

    /**
     * Returns the lock key as given in the request.
     * @return the key
     */
    String key();

    /**
     * Returns the random owner token (at least 128 bits) that identifies this lease in the backend.
     * @return the owner token
     */
    String ownerToken();

    /**
     * Returns the fencing token of this lease: a number strictly greater than every token issued before for the
     * same key. Empty when the backend does not issue fencing tokens.
     * @return the fencing token, if the backend issues them
     */
    OptionalLong fencingToken();

    /**
     * Returns how much longer this lease is known to be valid, measured with the monotonic clock and including a
     * safety margin for clock drift. {@link Duration#ZERO} once the lease is lost or released.
     * @return the remaining validity, never negative
     */
    Duration remainingValidity();

    /**
     * Returns whether the lease is still held: not released, not reported lost, and within its validity.
     * @return {@code true} while the lease is held
     */
    boolean isHeld();

    /**
     * Throws if the lease is no longer held. Call it before an irreversible side effect.
     * @throws LeaseLostException if the lease was lost or released
     */
    void checkHeld();

    /**
     * Registers a listener told at most once when this lease is lost. A listener added after the loss is called
     * at once on the calling thread.
     * @param listener the listener
     */
    void addLossListener(LeaseLossListener listener);

    /**
     * Releases this handle. Idempotent. When it is the last handle of the lease, the lease is returned to the
     * backend with an owner-checked release, so a lease that was already taken over is never deleted. No renewal
     * is started after this method returns (one already in flight is owner-checked by the backend, so it cannot
     * extend the lease once the release has removed it). A backend failure is logged, not thrown: the lease then
     * expires.
     *
     * <p>When the request asked for a {@link LockRequest#minHold() minimum hold} that has not passed yet, the last
     * release returns at once and the lease stays held in the backend until the minimum hold has passed since the
     * grant; the engine then releases it (owner-checked, in the background, without renewing it meanwhile). If the
     * process dies first, the lease expires in the backend after its lease time, which is at least the minimum hold.
     */
    void release();

    /**
     * Same as {@link #release()}.
     */
    @Override
    default void close() {
        release();
    }

}
