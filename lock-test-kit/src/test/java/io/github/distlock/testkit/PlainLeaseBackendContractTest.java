package io.github.distlock.testkit;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;

/**
 * Runs the base contract alone against a backend with no optional capability (the in-memory backend behind a
 * {@link RecordingLeaseBackend} that hides fencing and release notification), so that the kit is known to work for
 * such backends: the engine in the contention test then falls back to backoff.
 */
class PlainLeaseBackendContractTest extends LeaseBackendContractTests {

    @Override
    protected LeaseBackend createBackend() {
        return RecordingLeaseBackend.withoutCapabilities(new InMemoryLeaseBackend());
    }

}
