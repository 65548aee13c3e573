package io.github.distlock.autoconfigure;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.testkit.RecordingLeaseBackend;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The observations over the in-memory backend, behind the test kit's recording decorator so that the test can
 * make it unreachable.
 */
class InMemoryLockObservationsTests extends LockObservationsContract {

    @Override
    ApplicationContextRunner backend(ApplicationContextRunner runner) {
        return runner.withBean(LeaseBackend.class, RecordingLeaseBackend::inMemory);
    }

    @Override
    String backendName() {
        return "recording-in-memory";
    }

    @Override
    void reachable(AssertableApplicationContext context, boolean reachable) {
        ((RecordingLeaseBackend) context.getBean(LeaseBackend.class)).unreachable(!reachable);
    }

}
