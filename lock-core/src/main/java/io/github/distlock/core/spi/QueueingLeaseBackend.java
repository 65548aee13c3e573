package io.github.distlock.core.spi;

import java.time.Duration;

/**
 * Capability: the backend keeps a first-come, first-served queue of waiting owners per key and hands a released
 * key directly to the owner at its head, telling only that owner's process. A release of a key nobody waits for
 * notifies nobody, and a release of a contended key wakes one waiter instead of all of them, so the lock service's
 * work per release does not grow with the number of application instances or of waiters.
 *
 * <p>The engine drives it this way, with one owner token for the whole wait of one caller:
 * <ol>
 * <li>{@link #subscribeToHandOff} for that owner token, before the first attempt, so a hand-off is never missed
 * between an attempt and the subscription;</li>
 * <li>{@link #tryAcquireOrQueue} with the same owner token on every attempt: it grants the key, or keeps (or
 * takes) the owner's place in the queue and reports the holder's remaining time;</li>
 * <li>when a hand-off is announced (or the holder's remaining time passed, in case the announcement was lost),
 * another attempt, which finds the key granted to this owner;</li>
 * <li>{@link #leaveQueue} when the caller stops waiting without the lease (timeout, interruption, failure).</li>
 * </ol>
 *
 * <h2>Rules</h2>
 * <ul>
 * <li><b>A hand-off is a grant that waits to be claimed.</b> The release that hands the key on issues the next
 * fencing token and stores the new owner with a short claim time; the owner's next {@link #tryAcquireOrQueue}
 * reports it granted and extends it to the requested lease time. A waiter that died or gave up therefore holds up
 * the queue for at most the claim time, never a whole lease.</li>
 * <li><b>Entries end with their wait.</b> A queue entry carries the end of its owner's wait; the backend skips
 * entries whose wait has ended, so a waiter that vanished without {@link #leaveQueue} is dropped by the service's
 * clock.</li>
 * <li><b>Free means free.</b> A key that nobody holds (its holder's lease expired, or a claim lapsed) is granted
 * to whoever asks first, queued or not; the queue orders hand-offs on release, it does not reserve a free key.</li>
 * <li><b>Announcements are hints.</b> They may be lost (a broken subscription); the engine also retries no later
 * than the holder's remaining time, and a backend that re-establishes its subscription calls every registered
 * callback once.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe; callbacks run on a backend thread and must not block.
 *
 * @since 0.1.0
 */
public interface QueueingLeaseBackend extends LeaseBackend {

    /**
     * Makes one atomic attempt to take the key; if another owner holds it, puts the owner in the key's queue (or
     * keeps its place there) until its wait ends.
     * @param key the lock key, already validated against {@link #maxKeyLength()}
     * @param ownerToken the owner token of this caller's whole wait
     * @param leaseTime how long the service keeps the lease without renewal
     * @param remainingWait how much longer the caller waits; the queue entry is dropped after it
     * @return granted (also when the key was handed to this owner), or held by another owner with its remaining
     *     lease time when known
     * @throws RuntimeException if the service could not be asked
     */
    AcquireResult tryAcquireOrQueue(String key, String ownerToken, Duration leaseTime, Duration remainingWait);

    /**
     * Registers a callback run when the key may have been handed to the owner (or when the backend may have missed
     * announcements and every waiter should try again).
     * @param key the lock key
     * @param ownerToken the owner token the caller queues with
     * @param onHandOff the callback; runs on a backend thread and must not block
     * @return the registration, closed by the engine when it stops waiting
     * @throws RuntimeException if the announcements cannot be received; the engine then waits for the holder's
     *     remaining time instead
     */
    ReleaseSubscription subscribeToHandOff(String key, String ownerToken, Runnable onHandOff);

    /**
     * Removes the owner from the key's queue; if the key was handed to the owner meanwhile, releases it, handing
     * it on to the next waiter.
     * @param key the lock key
     * @param ownerToken the owner token the caller queued with
     * @throws RuntimeException if the service could not be asked; the entry then ends with its wait, and a claim
     *     with its claim time
     */
    void leaveQueue(String key, String ownerToken);

}
