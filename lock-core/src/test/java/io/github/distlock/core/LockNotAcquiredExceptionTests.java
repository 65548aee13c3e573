package io.github.distlock.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message says what happened in words a person reads: a held lock, and for a wait, how long it was.
 */
class LockNotAcquiredExceptionTests {

    @Test
    void oneAttemptSaysTheLockIsHeldWithoutMentioningAWait() {
        assertThat(new LockNotAcquiredException("order:7", Duration.ZERO))
            .hasMessage("Lock 'order:7' is held by another owner")
            .extracting(LockNotAcquiredException::getWaitTime)
            .isEqualTo(Duration.ZERO);
    }

    @Test
    void waitGivesTheWaitTimeReadably() {
        assertThat(new LockNotAcquiredException("order:7", Duration.ofMillis(300)))
            .hasMessage("Lock 'order:7' is held by another owner and was not granted within 300ms");
        assertThat(new LockNotAcquiredException("k", Duration.ofMillis(1500))).hasMessageEndingWith(" 1.5s");
        assertThat(new LockNotAcquiredException("k", Duration.ofSeconds(90))).hasMessageEndingWith(" 1m 30s");
        assertThat(new LockNotAcquiredException("k", Duration.ofHours(2))).hasMessageEndingWith(" 2h");
        assertThat(new LockNotAcquiredException("k", Duration.ofNanos(2500))).hasMessageEndingWith(" 2500ns");
    }

    @Test
    void forWorkThatNeededTheLockSaysTheWorkDidNotRun() {
        assertThat(new LockNotAcquiredException("order:7", Duration.ZERO, "OrderService.charge(Order)"))
            .hasMessage("OrderService.charge(Order) did not run: lock 'order:7' is held by another owner");
        assertThat(new LockNotAcquiredException("order:7", Duration.ofSeconds(5), "OrderService.charge(Order)"))
            .hasMessage("OrderService.charge(Order) did not run: lock 'order:7' is held by another owner and was not "
                    + "granted within 5s")
            .extracting(LockNotAcquiredException::getKey, LockNotAcquiredException::getWaitTime)
            .containsExactly("order:7", Duration.ofSeconds(5));
    }

}
