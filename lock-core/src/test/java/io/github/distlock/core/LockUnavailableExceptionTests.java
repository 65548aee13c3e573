package io.github.distlock.core;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend failure reported for some work names that work and keeps the backend's failure as its cause.
 */
class LockUnavailableExceptionTests {

    @Test
    void forWorkThatNeededTheLockSaysTheWorkDidNotRunAndKeepsTheBackendFailure() {
        IOException refused = new IOException("connection refused");
        LockUnavailableException failure = new LockUnavailableException("order:7", "redis", "acquire", refused);
        assertThat(new LockUnavailableException("OrderService.charge(Order)", failure))
            .hasMessage("OrderService.charge(Order) did not run: lock backend 'redis' failed to acquire lock "
                    + "'order:7': java.io.IOException: connection refused")
            .hasCause(refused)
            .extracting(LockUnavailableException::getKey)
            .isEqualTo("order:7");
    }

}
