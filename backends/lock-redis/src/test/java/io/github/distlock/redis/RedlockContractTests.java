package io.github.distlock.redis;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.testkit.LeaseBackendContractTests;
import io.github.distlock.testkit.QueueingContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract and the queueing contract on the Redlock backend over five real, independent Redis masters.
 */
class RedlockContractTests extends LeaseBackendContractTests implements QueueingContract {

    private static RedlockMasters masters;

    @BeforeAll
    static void startMasters() {
        masters = RedlockMasters.start(5);
    }

    @AfterAll
    static void stopMasters() {
        masters.close();
    }

    @Override
    protected LeaseBackend createBackend() {
        return masters.backend();
    }

    @AfterEach
    void closeConnections() {
        masters.closeBackends();
    }

}
