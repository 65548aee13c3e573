package io.github.distlock.testkit;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.FencingLeaseBackend;

/**
 * Runs the whole contract, fencing, release notification, queueing and shared leases included, against the in-memory backend.
 */
class InMemoryLeaseBackendContractTest extends FencingLeaseBackendContractTests
        implements ReleaseNotificationContract, QueueingContract, SharedLeaseContract {

    @Override
    protected FencingLeaseBackend createBackend() {
        return new InMemoryLeaseBackend();
    }

}
