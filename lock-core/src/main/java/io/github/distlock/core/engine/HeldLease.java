package io.github.distlock.core.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * What an operator may know about one lease an engine holds, as seen at one moment: a value, never a handle (it
 * cannot release or renew anything). The owner token is left out on purpose: whoever knows it can release the lock.
 *
 * @param name the request's name, empty when it had none
 * @param key the lock key
 * @param backend the backend's name
 * @param fencingToken the fencing token, empty when the backend issues none
 * @param heldSince when the lease was granted, by this JVM's wall clock (derived from the monotonic clock, so a
 *     clock step after the grant shifts it)
 * @param validityLeft how much longer the lease is known to be valid
 * @param renewals how many renewals the backend has accepted so far
 * @param autoRenew whether the engine renews the lease
 * @since 0.1.0
 */
public record HeldLease(String name, String key, String backend, OptionalLong fencingToken, Instant heldSince,
        Duration validityLeft, long renewals, boolean autoRenew) {
}
