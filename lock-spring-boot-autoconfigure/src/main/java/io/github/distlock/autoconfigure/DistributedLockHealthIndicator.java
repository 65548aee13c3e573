package io.github.distlock.autoconfigure;

import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code distributedLock} health: {@code UP} when the lock backend answers one question (Redis a {@code PING},
 * JDBC a {@code SELECT 1} and a read of the lock table, ZooKeeper its connection state, etcd its cluster members),
 * {@code DOWN} with the reason when it does not. The reason is the failure's own message chain with credentials in
 * URLs masked; no exception object, which could carry a password in a field of its own, is attached. Each check is
 * one call, bounded by the backend's own time limit. Thread-safe.
 *
 * @since 0.1.0
 */
public class DistributedLockHealthIndicator extends AbstractHealthIndicator {

    // user:password@ (or user@) in anything that looks like a URL.
    private static final Pattern URL_USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]+@");

    private static final Pattern PASSWORD_PAIR = Pattern.compile("(?i)(password|passwd|pwd)=[^;&\\s,)]*");

    private final String backend;

    private final LockBackendStatus status;

    DistributedLockHealthIndicator(String backend, LockBackendStatus status) {
        super("Distributed lock health check failed");
        this.backend = backend;
        this.status = status;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("backend", this.backend);
        Map<String, Object> details;
        try {
            details = this.status.check().run();
        }
        catch (Exception ex) {
            builder.down().withDetail("reason", reason(ex));
            return;
        }
        builder.up().withDetails(details);
    }

    static String reason(Throwable failure) {
        StringBuilder reason = new StringBuilder();
        for (Throwable cause = failure; cause != null && reason.length() < 1000; cause = cause.getCause()) {
            if (!reason.isEmpty()) {
                reason.append("; caused by ");
            }
            reason.append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
            if (cause.getCause() == cause) {
                break;
            }
        }
        return mask(reason.toString());
    }

    static String mask(String text) {
        String masked = URL_USER_INFO.matcher(text).replaceAll("$1******@");
        return PASSWORD_PAIR.matcher(masked).replaceAll("$1=******");
    }

}
