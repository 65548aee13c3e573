package io.github.distlock.core;

import java.time.Duration;

/**
 * Thrown when a lock is held by someone else and was not granted within the wait time. No lease was taken.
 */
public class LockNotAcquiredException extends DistributedLockException {

    private static final long serialVersionUID = 1L;

    private final Duration waitTime;

    /**
     * Creates an exception for a lock that stayed held by another owner for the whole wait.
     * @param key the lock key
     * @param waitTime how long the caller waited
     */
    public LockNotAcquiredException(String key, Duration waitTime) {
        super(key, "Lock '" + key + "' is held by another owner and was not granted within " + waitTime, null);
        this.waitTime = waitTime;
    }

    /**
     * Returns how long the caller was willing to wait.
     * @return the wait time of the request
     */
    public Duration getWaitTime() {
        return this.waitTime;
    }

}
