package io.github.distlock.redis;

/**
 * Thrown when fewer replicas than required acknowledged an acquire. The lease was released again; the engine
 * reports the attempt as {@code LockUnavailableException}.
 *
 * @since 0.1.0
 */
public class RedisReplicationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param message how many replicas acknowledged
     */
    public RedisReplicationException(String message) {
        super(message);
    }

}
