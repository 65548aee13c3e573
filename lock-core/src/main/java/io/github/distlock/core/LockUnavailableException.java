package io.github.distlock.core;

/**
 * Thrown when the lock service could not be asked: the backend threw, timed out or is unreachable. The engine
 * fails closed: no lease is held when this is thrown, and a protected method does not run.
 */
public class LockUnavailableException extends DistributedLockException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception for a backend failure while working on the given key.
     * @param key the lock key
     * @param backendName the backend that failed, for example {@code in-memory} or {@code redis}
     * @param operation what was attempted, for example {@code acquire}
     * @param cause the backend's failure
     */
    public LockUnavailableException(String key, String backendName, String operation, Throwable cause) {
        super(key, "Lock backend '" + backendName + "' failed to " + operation + " lock '" + key + "': " + cause,
                cause);
    }

}
