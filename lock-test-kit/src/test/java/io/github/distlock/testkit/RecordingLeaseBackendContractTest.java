package io.github.distlock.testkit;

import io.github.distlock.core.spi.FencingLeaseBackend;

/**
 * Runs the whole contract against the recording decorator over the in-memory backend: with every switch off it
 * changes nothing a backend promises.
 */
class RecordingLeaseBackendContractTest extends FencingLeaseBackendContractTests
        implements ReleaseNotificationContract {

    @Override
    protected FencingLeaseBackend createBackend() {
        return (FencingLeaseBackend) RecordingLeaseBackend.inMemory();
    }

}
