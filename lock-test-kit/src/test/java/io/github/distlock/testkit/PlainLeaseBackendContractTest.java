package io.github.distlock.testkit;

import java.time.Duration;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.LeaseBackend;

/**
 * Runs the base contract alone against a backend with no optional capability (the in-memory backend behind a
 * view that hides fencing and release notification), so that the kit is known to work for such backends: the
 * engine in the contention test then falls back to backoff.
 */
class PlainLeaseBackendContractTest extends LeaseBackendContractTests {

    @Override
    protected LeaseBackend createBackend() {
        InMemoryLeaseBackend delegate = new InMemoryLeaseBackend();
        return new LeaseBackend() {

            @Override
            public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
                AcquireResult result = delegate.tryAcquire(key, ownerToken, leaseTime);
                return result.isGranted() ? AcquireResult.granted() : result;
            }

            @Override
            public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
                return delegate.renewIfOwner(key, ownerToken, leaseTime);
            }

            @Override
            public boolean releaseIfOwner(String key, String ownerToken) {
                return delegate.releaseIfOwner(key, ownerToken);
            }

            @Override
            public String name() {
                return "in-memory-plain";
            }

        };
    }

}
