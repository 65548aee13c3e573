package io.github.distlock.core;

import org.jspecify.annotations.Nullable;

/**
 * Base class of every exception this library throws about a lock. Unchecked, so that callers of annotated
 * methods are not forced to handle lock outcomes they cannot act on.
 *
 * @since 0.1.0
 */
public class DistributedLockException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * Creates an exception about the lock with the given key.
     * @param key the lock key the exception is about
     * @param message what happened
     * @param cause the underlying failure, if any
     */
    public DistributedLockException(String key, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /**
     * Returns the key of the lock this exception is about.
     * @return the lock key
     */
    public String getKey() {
        return this.key;
    }

}
