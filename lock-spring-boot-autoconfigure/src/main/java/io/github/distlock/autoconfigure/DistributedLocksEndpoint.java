package io.github.distlock.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.distlock.core.engine.HeldLease;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code distributedlocks} endpoint: the leases this instance holds, who waits for which key, and the backend
 * with its settings. Read only: it cannot release, renew or take anything, and it never shows an owner token
 * (which would let a reader release a lock) nor a secret. Like Spring Boot's own non-trivial endpoints it is not
 * exposed over the web unless {@code management.endpoints.web.exposure.include} names it. Thread-safe; each read is
 * a fresh snapshot.
 *
 * @since 0.1.0
 */
@Endpoint(id = "distributedlocks")
public class DistributedLocksEndpoint {

    private final LockEngine engine;

    private final LockBackendStatus status;

    DistributedLocksEndpoint(LockEngine engine, LockBackendStatus status) {
        this.engine = engine;
        this.status = status;
    }

    /**
     * Describes the locks of this instance now.
     * @return the leases, the waiters and the backend
     */
    @ReadOperation
    public DistributedLocksDescriptor locks() {
        List<LeaseDescriptor> leases = this.engine.heldLeases().stream().map(LeaseDescriptor::of).toList();
        LockEngineSettings settings = this.engine.settings();
        Map<String, Object> engineSettings = new TreeMap<>(Map.of("renewalRatio", settings.renewalRatio(),
                "renewalThreads", settings.renewalThreads(), "initialBackoff", settings.initialBackoff().toString(),
                "maxBackoff", settings.maxBackoff().toString()));
        return new DistributedLocksDescriptor(
                new BackendDescriptor(this.engine.backendName(), this.engine.supportsFencingTokens(),
                        new TreeMap<>(this.status.settings().get())),
                engineSettings, leases, new TreeMap<>(this.engine.waitersByKey()));
    }

    /**
     * The endpoint's answer.
     *
     * @param backend the backend and its settings
     * @param engine the engine's settings
     * @param leases the leases this instance holds, oldest first
     * @param waiters how many callers of this instance wait, per key
     */
    public record DistributedLocksDescriptor(BackendDescriptor backend, Map<String, Object> engine,
            List<LeaseDescriptor> leases, Map<String, Integer> waiters) implements OperationResponseBody {
    }

    /**
     * The backend.
     *
     * @param name its name, for example {@code redis}
     * @param fencingTokens whether it issues fencing tokens
     * @param settings its settings, without secrets
     */
    public record BackendDescriptor(String name, boolean fencingTokens, Map<String, Object> settings) {
    }

    /**
     * One lease this instance holds.
     *
     * @param name the lock's name (the annotation's {@code name}), empty for a request without one
     * @param key the lock key
     * @param backend the backend's name
     * @param fencingToken the fencing token, {@code null} when the backend issues none
     * @param heldSince when it was granted (ISO-8601)
     * @param validityLeftMillis how much longer it is known to be valid, in milliseconds
     * @param renewals how many renewals the backend accepted
     * @param autoRenew whether the engine renews it
     */
    public record LeaseDescriptor(String name, String key, String backend, @Nullable Long fencingToken,
            String heldSince, long validityLeftMillis, long renewals, boolean autoRenew) {

        static LeaseDescriptor of(HeldLease lease) {
            Long token = lease.fencingToken().isPresent() ? lease.fencingToken().getAsLong() : null;
            return new LeaseDescriptor(lease.name(), lease.key(), lease.backend(), token,
                    lease.heldSince().toString(), lease.validityLeft().toMillis(), lease.renewals(),
                    lease.autoRenew());
        }

    }

}
