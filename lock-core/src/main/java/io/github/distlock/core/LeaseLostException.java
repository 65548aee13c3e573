package io.github.distlock.core;

/**
 * Thrown when a lease that was granted is no longer held: it expired, a renewal was refused, or the backend
 * reported that another owner has the key. Work done after the loss was not protected by the lock; a fencing
 * token lets the protected resource reject it.
 *
 * @since 0.1.0
 */
public class LeaseLostException extends DistributedLockException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception for a lost lease.
     * @param key the lock key
     * @param reason why the lease is considered lost
     */
    public LeaseLostException(String key, String reason) {
        super(key, "Lease on lock '" + key + "' was lost: " + reason, null);
    }

}
