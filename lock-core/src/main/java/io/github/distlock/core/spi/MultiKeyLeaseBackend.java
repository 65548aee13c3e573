package io.github.distlock.core.spi;

import java.time.Duration;
import java.util.List;

/**
 * Capability: the backend can take several keys in one atomic attempt, all or none, when they live together (on
 * one Redis server, or in one Cluster slot). The engine uses it for the first attempt of a set of exclusive keys
 * ({@code LockClient.acquireAll}); a set it refuses, or keys that do not live together, are taken one by one in
 * sorted order as on any backend, so this is a shortcut (one round trip instead of one per key), never a different
 * rule.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li><b>All or none, atomically.</b> {@link #tryAcquireAll} grants every key or none, and no other attempt sees
 * some of them granted and others not. Each key is granted as {@link LeaseBackend#tryAcquire} would grant it alone
 * (free means free; a key handed to a waiter, or held by readers, is held), to its own owner token, with its own
 * fencing token where the backend issues them.</li>
 * <li><b>Same lease rules afterwards.</b> Each granted key is an ordinary exclusive lease: renewed and released one
 * by one with {@link LeaseBackend#renewIfOwner} and {@link LeaseBackend#releaseIfOwner}.</li>
 * <li><b>Failures.</b> An exception means the service could not be asked; the engine then releases every owner
 * token of the attempt (owner-checked), in case it was applied and only its reply was lost.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1.0
 */
public interface MultiKeyLeaseBackend extends LeaseBackend {

    /**
     * Returns whether the keys can be taken in one atomic attempt.
     * @param keys the lock keys, in the order they would be taken
     * @return {@code true} if {@link #tryAcquireAll} can take them together
     */
    boolean acquiresTogether(List<String> keys);

    /**
     * Makes one atomic attempt to take every key, each for its owner token.
     * @param keys the lock keys, distinct, each already validated against {@link #maxKeyLength()}, for which
     *     {@link #acquiresTogether} is {@code true}
     * @param ownerTokens the owner token of each key's new lease, in the same order
     * @param leaseTime how long the service keeps each lease without renewal
     * @return one granted result per key, in the keys' order; or, when any key is held by another owner, a single
     *     refusal for the first such key (with the holder's remaining time when known), and then no key was taken
     * @throws RuntimeException if the service could not be asked
     */
    List<AcquireResult> tryAcquireAll(List<String> keys, List<String> ownerTokens, Duration leaseTime);

}
