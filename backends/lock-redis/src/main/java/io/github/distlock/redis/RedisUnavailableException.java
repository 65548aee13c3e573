package io.github.distlock.redis;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a lock command could not be carried out by Redis: it did not answer within the time limit of its
 * connections ({@link RedisConnections#timeout()}) because it was unreachable, frozen, or no pooled connection became
 * free; or it refused the command (rejected credentials, missing ACL permissions). The message names the server (its
 * address, never credentials), the operation and the key; the cause is the last failure Jedis reported. The engine
 * reports it as {@code LockUnavailableException}, and nothing ran.
 *
 * @since 0.1.0
 */
public class RedisUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param message what failed, where and why
     * @param cause the last failure Jedis reported, if any
     */
    public RedisUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    static RedisUnavailableException notAnswered(String operation, String storedKey, String server, Duration timeout,
            Duration elapsed, @Nullable Throwable cause) {
        return new RedisUnavailableException(server + " did not answer the " + operation + of(storedKey)
                + " within the time limit of " + timeout + " (gave up after " + elapsed.toMillis() + " ms)"
                + ((cause != null) ? ": " + reason(cause) : ""), cause);
    }

    static RedisUnavailableException refused(String operation, String storedKey, String server, Throwable cause) {
        return new RedisUnavailableException(server + " refused the " + operation + of(storedKey) + ": "
                + reason(cause), cause);
    }

    private static String of(String storedKey) {
        return storedKey.isEmpty() ? "" : " of '" + storedKey + "'";
    }

    // Jedis keeps the reason (connection refused, read timed out, pool exhausted) a cause or two deep.
    private static String reason(Throwable failure) {
        StringBuilder reason = new StringBuilder(String.valueOf(failure.getMessage()));
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && cause != failure && depth < 3; depth++) {
            reason.append(" (").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage())
                    .append(')');
            failure = cause;
            cause = cause.getCause();
        }
        return reason.toString();
    }

}
