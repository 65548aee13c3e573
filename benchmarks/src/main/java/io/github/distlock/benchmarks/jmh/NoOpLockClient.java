package io.github.distlock.benchmarks.jmh;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLossListener;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;

/**
 * A lock client that grants every request at once with a shared lease that is never lost and whose release does
 * nothing: what remains of a locked call is the caller's own cost. Thread-safe; for benchmarks only.
 */
final class NoOpLockClient implements LockClient {

    private static final Lease LEASE = new Lease() {

        @Override
        public String key() {
            return "no-op";
        }

        @Override
        public String ownerToken() {
            return "no-op";
        }

        @Override
        public OptionalLong fencingToken() {
            return OptionalLong.of(1);
        }

        @Override
        public Duration remainingValidity() {
            return Duration.ofDays(1);
        }

        @Override
        public boolean isHeld() {
            return true;
        }

        @Override
        public void checkHeld() {
        }

        @Override
        public void addLossListener(LeaseLossListener listener) {
        }

        @Override
        public void release() {
        }

    };

    @Override
    public Optional<Lease> tryAcquire(LockRequest request) {
        return Optional.of(LEASE);
    }

    @Override
    public Lease acquire(LockRequest request) {
        return LEASE;
    }

    @Override
    public boolean supportsFencingTokens() {
        return true;
    }

    @Override
    public String backendName() {
        return "no-op";
    }

}
