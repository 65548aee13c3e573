package io.github.distlock.autoconfigure;

import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisTopology;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/**
 * The start-up check of the Redis backend's connections: one {@code PING}, so that a misconfiguration shows at
 * start-up rather than at the first locked call. Redis being unreachable is logged and start-up continues (the
 * connections connect once Redis answers); rejected credentials fail start-up, since they will not fix themselves,
 * with a {@link SecretPropertyValueException} that names the property holding them, masked, and says what to do.
 * Stateless.
 */
final class RedisConnectionCheck {

    private static final Logger logger = LoggerFactory.getLogger(RedisConnectionCheck.class);

    private RedisConnectionCheck() {
    }

    /**
     * Checks the connections, within the time limit of a lock call ({@code timeout}).
     * @param settings where the connections go and where their credentials come from
     * @param connections the connections built from these settings
     * @throws SecretPropertyValueException if Redis or its sentinels rejected credentials from properties
     * @throws IllegalStateException if they rejected credentials from connection details of another kind
     */
    static void checkAtStartUp(RedisConnectionSettings settings, RedisConnections connections) {
        boolean discovering = true;
        try {
            connections.connect();
            discovering = false;
            connections.ping();
            logger.debug("Distributed locks use {}", settings.description());
        }
        catch (RuntimeException ex) {
            if (isAuthenticationFailure(ex)) {
                throw credentialsRejected(settings, ex, discovering);
            }
            logger.warn("Distributed locks use {}, which did not answer at start-up; until it does, locked "
                    + "methods fail with LockUnavailableException: {}", settings.description(), describe(ex));
        }
    }

    /**
     * Returns the exception to fail start-up with when Redis rejected the credentials.
     * @param whileDiscovering whether it happened while the connections were built, which for Sentinel means while
     *     talking to the sentinels
     */
    private static RuntimeException credentialsRejected(RedisConnectionSettings settings, Throwable failure,
            boolean whileDiscovering) {
        boolean sentinels = whileDiscovering && settings.topology() instanceof RedisTopology.Sentinel;
        boolean set = sentinels ? settings.sentinelPasswordSet() : settings.passwordSet();
        String reason = (set ? "was rejected by " : "is required by ") + (sentinels ? "the sentinels of " : "")
                + settings.description() + ": " + redisReply(failure);
        RedisCredentialsSource credentials = settings.credentials();
        if (credentials == null) {
            return new IllegalStateException("The login of the Redis connection details " + reason);
        }
        String prefix = credentials.propertyPrefix();
        String property = sentinels ? prefix + ".sentinel.password" : credentials.credentialsProperty();
        String value = sentinels ? (settings.sentinelPasswordSet() ? "******" : null) : credentials.credentialsValue();
        String where = sentinels ? prefix + ".sentinel.username and " + prefix + ".sentinel.password"
                : property.endsWith(".url") ? "the user-info of " + property + " (redis://user:password@host:port)"
                : prefix + ".username and " + prefix + ".password";
        String action = "Give the credentials of a user that "
                + (sentinels ? "the sentinels accept" : "this Redis accepts") + " in " + where + ". With Redis "
                + "ACLs, the lock backend's user needs the commands EVALSHA, EVAL, WAIT, PING, PUBLISH and SUBSCRIBE, "
                + "on the keys and the release channel that start with " + RedisLockProperties.PREFIX
                + ".key-prefix (default distlock:).";
        return new SecretPropertyValueException(property, value, reason, action);
    }

    // Redis's own reply (WRONGPASS ..., NOAUTH ...), which names no credentials, rather than a wrapper's message.
    private static String redisReply(Throwable failure) {
        Throwable reply = failure;
        while (reply.getCause() != null && reply.getCause() != reply) {
            reply = reply.getCause();
        }
        return String.valueOf(reply.getMessage());
    }

    private static boolean isAuthenticationFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (cause instanceof JedisAccessControlException || message.contains("WRONGPASS")
                    || message.contains("NOAUTH")) {
                return true;
            }
        }
        return false;
    }

    // Jedis keeps the reason (connection refused, timeout) a few levels deep, as a cause or as a suppressed
    // exception; the warning shows the deepest one instead of a stack trace.
    private static String describe(Throwable failure) {
        Throwable reason = failure;
        for (int depth = 0; depth < 10; depth++) {
            Throwable next = (reason.getCause() != null) ? reason.getCause()
                    : (reason.getSuppressed().length > 0) ? reason.getSuppressed()[0] : null;
            if (next == null || next == reason) {
                break;
            }
            reason = next;
        }
        return (reason == failure) ? String.valueOf(failure) : failure + " (" + reason + ")";
    }

}
