package io.github.distlock.sample.scenario;

import java.time.Duration;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.LeaseBackend;

/**
 * A simulated server's way to the lock service that a crash cuts: once {@link #sever() severed}, every call fails
 * as it would from a process that is gone, so the server's leases are neither renewed nor released and end when
 * their lease time runs out on the lock service. The lease time is the service's, as for any crashed holder.
 *
 * <p>Thread-safe.
 */
final class SeverableBackend implements LeaseBackend {

    private final LeaseBackend delegate;

    private volatile boolean severed;

    SeverableBackend(LeaseBackend delegate) {
        this.delegate = delegate;
    }

    /** Cuts the way to the lock service, for good. */
    void sever() {
        this.severed = true;
    }

    private void requireAlive() {
        if (this.severed) {
            throw new IllegalStateException("this simulated server crashed: it can no longer reach the lock service");
        }
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        requireAlive();
        return this.delegate.tryAcquire(key, ownerToken, leaseTime);
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        requireAlive();
        return this.delegate.renewIfOwner(key, ownerToken, leaseTime);
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        requireAlive();
        return this.delegate.releaseIfOwner(key, ownerToken);
    }

    @Override
    public String name() {
        return this.delegate.name();
    }

    @Override
    public int maxKeyLength() {
        return this.delegate.maxKeyLength();
    }

}
