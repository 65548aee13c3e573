package io.github.distlock.core.engine;

import java.time.Duration;

import io.github.distlock.core.InvalidSettingException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The engine's settings refuse combinations under which every lease would be lost.
 */
class LockEngineSettingsTests {

    @Test
    void renewalRatioThatLeavesNoTimeForASecondAttemptBeforeTheValidityEndsIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LockEngineSettings.defaults().withRenewalRatio(0.99))
                .withMessageContaining("renewalRatio").withMessageContaining("0.495");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LockEngineSettings.defaults().withRenewalRatio(0.5));
        assertThat(LockEngineSettings.defaults().withRenewalRatio(0.495).renewalRatio()).isEqualTo(0.495);
    }

    @Test
    void anInvalidSettingIsReportedWithItsNameValueAndReasonApart() {
        assertThatExceptionOfType(InvalidSettingException.class)
                .isThrownBy(() -> LockEngineSettings.defaults().withRenewalThreads(0))
                .satisfies(ex -> {
                    assertThat(ex.getSetting()).isEqualTo("renewalThreads");
                    assertThat(ex.getValue()).isEqualTo(0);
                    assertThat(ex.getReason()).isEqualTo("must be at least 1");
                    assertThat(ex).hasMessage("renewalThreads must be at least 1, was 0");
                });
    }

    @Test
    void autoRenewedLeaseTooShortToRenewBeforeItsValidityEndsIsRejectedBeforeAnyBackendCall() {
        InMemoryLeaseBackend backend = new InMemoryLeaseBackend();
        try (LockEngine engine = new LockEngine(backend)) {
            // 3 ms: the 2 ms drift minimum leaves about 1 ms of validity, less than two renewal intervals.
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> engine.tryAcquire(LockRequest.of("short", Duration.ofMillis(3))))
                    .withMessageContaining("renew");
            assertThat(backend.storedEntryCount()).isZero();
            // Long enough for two renewal intervals within its validity: accepted.
            assertThat(engine.tryAcquire(LockRequest.of("short", Duration.ofSeconds(1)))).isPresent();
        }
    }

}
