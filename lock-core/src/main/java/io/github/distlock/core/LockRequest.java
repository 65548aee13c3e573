package io.github.distlock.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What to lock and on which terms. Immutable; the {@code with...} methods return copies.
 *
 * @param key the lock key; not empty; the backend may limit its length
 * @param leaseTime how long the backend keeps the lease without renewal; positive
 * @param waitTime how long {@link LockClient#acquire} waits for a held lock; zero means one attempt
 * @param autoRenew whether the engine renews the lease until it is released
 * @param reentrant whether a thread that already holds this key through the same client gets another handle to
 *     its lease instead of waiting for itself; set it to {@code false} when the lease is released by another
 *     thread (asynchronous work)
 * @param name a label for operators: the namespace the key belongs to (for an annotated method, the annotation's
 *     {@code name}), shown in metrics, logs and the lock listing where the key itself would have too many values;
 *     empty when the request has none; never part of what is locked
 * @param minHold the shortest time the key stays held, counted from the start of the attempt that was granted:
 *     a lease whose last handle is released sooner stays held in the backend until then and is released in the
 *     background (owner-checked), so the caller never waits for it; {@link Duration#ZERO} releases at once. At most
 *     {@code leaseTime}, so that the backend keeps the key that long even when this process dies and nobody releases
 *     it. This is what keeps a scheduled job from running twice in one period on instances whose clocks disagree
 * @param mode {@link LockMode#WRITE} for an exclusive lease (the default), {@link LockMode#READ} for a lease shared
 *     with other readers; a reader waits while a writer holds or waits for the key
 * @since 0.1.0
 */
public record LockRequest(String key, Duration leaseTime, Duration waitTime, boolean autoRenew, boolean reentrant,
        String name, Duration minHold, LockMode mode) {

    /**
     * Validates the request.
     * @throws IllegalArgumentException if the key is empty, the lease is not positive, the wait is negative, or the
     *     minimum hold is negative or longer than the lease
     */
    public LockRequest {
        Objects.requireNonNull(key, "lock key must not be null");
        Objects.requireNonNull(leaseTime, "leaseTime must not be null");
        Objects.requireNonNull(waitTime, "waitTime must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(minHold, "minHold must not be null");
        Objects.requireNonNull(mode, "mode must not be null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("lock key must not be empty");
        }
        if (leaseTime.isNegative() || leaseTime.isZero()) {
            throw new IllegalArgumentException("leaseTime must be positive, was " + leaseTime + " for lock '" + key + "'");
        }
        if (waitTime.isNegative()) {
            throw new IllegalArgumentException("waitTime must not be negative, was " + waitTime + " for lock '" + key + "'");
        }
        if (minHold.isNegative()) {
            throw new IllegalArgumentException("minHold must not be negative, was " + minHold + " for lock '" + key + "'");
        }
        if (minHold.compareTo(leaseTime) > 0) {
            throw new IllegalArgumentException("minHold " + minHold + " of lock '" + key + "' must not be longer than "
                    + "its leaseTime " + leaseTime + ": a process that dies keeps the key for the lease time only");
        }
    }

    /**
     * Creates an exclusive ({@link LockMode#WRITE}) request.
     * @param key the lock key
     * @param leaseTime the lease time
     * @param waitTime the wait time
     * @param autoRenew whether to renew automatically
     * @param reentrant whether the calling thread may re-enter a lease it holds
     * @param name the label for operators, or empty for none
     * @param minHold the shortest time the key stays held after the grant, at most the lease time
     * @throws IllegalArgumentException if the key is empty, the lease is not positive, the wait is negative, or the
     *     minimum hold is negative or longer than the lease
     */
    public LockRequest(String key, Duration leaseTime, Duration waitTime, boolean autoRenew, boolean reentrant,
            String name, Duration minHold) {
        this(key, leaseTime, waitTime, autoRenew, reentrant, name, minHold, LockMode.WRITE);
    }

    /**
     * Creates a request without a minimum hold.
     * @param key the lock key
     * @param leaseTime the lease time
     * @param waitTime the wait time
     * @param autoRenew whether to renew automatically
     * @param reentrant whether the calling thread may re-enter a lease it holds
     * @param name the label for operators, or empty for none
     * @throws IllegalArgumentException if the key is empty, the lease is not positive or the wait is negative
     */
    public LockRequest(String key, Duration leaseTime, Duration waitTime, boolean autoRenew, boolean reentrant,
            String name) {
        this(key, leaseTime, waitTime, autoRenew, reentrant, name, Duration.ZERO);
    }

    /**
     * Creates a request without a name.
     * @param key the lock key
     * @param leaseTime the lease time
     * @param waitTime the wait time
     * @param autoRenew whether to renew automatically
     * @param reentrant whether the calling thread may re-enter a lease it holds
     * @throws IllegalArgumentException if the key is empty, the lease is not positive or the wait is negative
     */
    public LockRequest(String key, Duration leaseTime, Duration waitTime, boolean autoRenew, boolean reentrant) {
        this(key, leaseTime, waitTime, autoRenew, reentrant, "", Duration.ZERO);
    }

    /**
     * Returns a request for one attempt (no wait), renewed automatically and reentrant.
     * @param key the lock key
     * @param leaseTime the lease time
     * @return the request
     */
    public static LockRequest of(String key, Duration leaseTime) {
        return new LockRequest(key, leaseTime, Duration.ZERO, true, true);
    }

    /**
     * Returns a copy with the given wait time.
     * @param waitTime how long to wait for a held lock
     * @return the copy
     */
    public LockRequest withWaitTime(Duration waitTime) {
        return new LockRequest(this.key, this.leaseTime, waitTime, this.autoRenew, this.reentrant, this.name,
                this.minHold, this.mode);
    }

    /**
     * Returns a copy with automatic renewal switched on or off.
     * @param autoRenew whether to renew automatically
     * @return the copy
     */
    public LockRequest withAutoRenew(boolean autoRenew) {
        return new LockRequest(this.key, this.leaseTime, this.waitTime, autoRenew, this.reentrant, this.name,
                this.minHold, this.mode);
    }

    /**
     * Returns a copy with thread reentrancy switched on or off.
     * @param reentrant whether the calling thread may re-enter a lease it holds
     * @return the copy
     */
    public LockRequest withReentrant(boolean reentrant) {
        return new LockRequest(this.key, this.leaseTime, this.waitTime, this.autoRenew, reentrant, this.name,
                this.minHold, this.mode);
    }

    /**
     * Returns a copy with the given name.
     * @param name the label for operators, or empty for none
     * @return the copy
     */
    public LockRequest withName(String name) {
        return new LockRequest(this.key, this.leaseTime, this.waitTime, this.autoRenew, this.reentrant, name,
                this.minHold, this.mode);
    }

    /**
     * Returns a copy with the given minimum hold.
     * @param minHold the shortest time the key stays held after the grant, at most the lease time
     * @return the copy
     * @throws IllegalArgumentException if it is negative or longer than the lease time
     */
    public LockRequest withMinHold(Duration minHold) {
        return new LockRequest(this.key, this.leaseTime, this.waitTime, this.autoRenew, this.reentrant, this.name,
                minHold, this.mode);
    }

    /**
     * Returns a copy with the given mode.
     * @param mode {@link LockMode#READ} to share the key with other readers, {@link LockMode#WRITE} to hold it alone
     * @return the copy
     */
    public LockRequest withMode(LockMode mode) {
        return new LockRequest(this.key, this.leaseTime, this.waitTime, this.autoRenew, this.reentrant, this.name,
                this.minHold, mode);
    }

}
