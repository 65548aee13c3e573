package io.github.distlock.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * A request is validated when it is built, so an invalid one never reaches an engine or a backend.
 */
class LockRequestTests {

    private static final Duration LEASE = TestTimings.LONG_LEASE;

    @Test
    void nullKeyIsRejected() {
        assertThatNullPointerException().isThrownBy(() -> new LockRequest(null, LEASE, Duration.ZERO, true, true))
                .withMessageContaining("key");
    }

    @Test
    void emptyKeyIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.of("", LEASE))
                .withMessageContaining("key");
    }

    @Test
    void zeroOrNegativeLeaseTimeIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.of("key", Duration.ZERO))
                .withMessageContaining("leaseTime");
        assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.of("key", Duration.ofMillis(-1)))
                .withMessageContaining("leaseTime");
    }

    @Test
    void negativeWaitTimeIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LockRequest.of("key", LEASE).withWaitTime(Duration.ofMillis(-1)))
                .withMessageContaining("waitTime");
    }

    @Test
    void negativeMinHoldIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LockRequest.of("key", LEASE).withMinHold(Duration.ofMillis(-1)))
                .withMessageContaining("minHold");
    }

    @Test
    void minHoldLongerThanTheLeaseIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LockRequest.of("key", LEASE).withMinHold(LEASE.plusMillis(1)))
                .withMessageContaining("minHold")
                .withMessageContaining("leaseTime");
    }

    @Test
    void defaultRequestMakesOneAttemptAndIsRenewedAndReentrant() {
        LockRequest request = LockRequest.of("key", LEASE);
        assertThat(request.waitTime()).isZero();
        assertThat(request.autoRenew()).isTrue();
        assertThat(request.reentrant()).isTrue();
        assertThat(request.minHold()).isZero();
    }

    @Test
    void withMethodsReturnChangedCopies() {
        LockRequest request = LockRequest.of("key", LEASE);
        LockRequest changed = request.withWaitTime(TestTimings.LONG_WAIT).withAutoRenew(false).withReentrant(false);
        assertThat(changed).isEqualTo(new LockRequest("key", LEASE, TestTimings.LONG_WAIT, false, false));
        assertThat(request).isEqualTo(LockRequest.of("key", LEASE));
    }

}
