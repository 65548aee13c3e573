package io.github.distlock.core;

/**
 * Thrown when the lock service could not be asked: the backend threw, timed out or is unreachable. The engine
 * fails closed: no lease is held when this is thrown, and a protected method does not run. Its cause is the
 * backend's failure.
 *
 * @since 0.1.0
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

    /**
     * Creates a copy of a failure for work that needed the lock, whose message also says that this work did not
     * run, for example {@code "OrderService.charge(Order) did not run: lock backend 'redis' failed to acquire
     * lock 'order:7': ..."}. The key and the cause (the backend's failure) are those of the given exception.
     * @param work the work that did not run, as shown to people, for example {@code OrderService.charge(Order)}
     * @param failure the failure the lock client reported
     */
    public LockUnavailableException(String work, LockUnavailableException failure) {
        super(failure.getKey(), work + " did not run: " + startingLowerCase(String.valueOf(failure.getMessage())),
                failure.getCause());
    }

    private static String startingLowerCase(String message) {
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

}
