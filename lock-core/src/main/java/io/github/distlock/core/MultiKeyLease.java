package io.github.distlock.core;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The leases of several keys taken together by {@link LockClient#acquireAll}: one {@link Lease} per key, taken in
 * the keys' sorted order, all granted or none, and released together.
 *
 * <p>As a {@link Lease} it describes the whole set: {@link #key()} lists the keys, {@link #isHeld()} is true while
 * every lease is held, {@link #checkHeld()} throws if any is not, {@link #remainingValidity()} is the shortest
 * validity, a loss listener is told once, when the first of them is lost, and {@link #release()} releases every
 * lease. There is one fencing token per key ({@link #fencingTokens()}); {@link #fencingToken()} is always empty,
 * since tokens of different keys are not comparable.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1.0
 */
public interface MultiKeyLease extends Lease {

    /**
     * Returns the requests in the order {@link LockClient#acquireAll} takes them: sorted by key
     * ({@link String#compareTo}), a key asked for twice on the same terms once. For implementations of
     * {@link LockClient} that take sets in a way of their own, so that every client follows one order.
     * @param requests the requests, at least one
     * @return the requests in lock order
     * @throws IllegalArgumentException if there are none, or one key is asked for on different terms
     */
    static List<LockRequest> lockOrder(Collection<LockRequest> requests) {
        return LeaseSet.inLockOrder(requests);
    }

    /**
     * Returns the set of the given leases, which are released together when it is.
     * @param leases the leases of the set's keys, in lock order, at least one
     * @return the set
     */
    static MultiKeyLease of(List<Lease> leases) {
        if (leases.isEmpty()) {
            throw new IllegalArgumentException("a set of leases needs at least one");
        }
        return new LeaseSet(leases);
    }

    /**
     * Returns the lease of each key, in the order they were taken (the keys' natural {@code String} order).
     * @return the leases, at least one
     */
    List<Lease> leases();

    /**
     * Returns the fencing token of each key, in the order the keys were taken; empty when the backend issues no
     * fencing tokens.
     * @return the tokens by lock key
     */
    Map<String, Long> fencingTokens();

    /**
     * Returns the keys, in the order they were taken, as {@code List.toString()} writes them.
     * @return the keys
     */
    @Override
    String key();

    /**
     * Returns the owner token of the first lease; each lease has its own ({@link #leases()}).
     * @return the first lease's owner token
     */
    @Override
    String ownerToken();

    /**
     * Returns nothing: each key has a token of its own, see {@link #fencingTokens()}.
     * @return an empty value
     */
    @Override
    default OptionalLong fencingToken() {
        return OptionalLong.empty();
    }

    /**
     * Returns the shortest remaining validity of the leases.
     * @return the remaining validity, never negative
     */
    @Override
    Duration remainingValidity();

}
