package io.github.distlock.sample;

import java.math.BigDecimal;
import java.util.Map;
import java.util.OptionalLong;

import io.github.distlock.sample.shop.Charge;
import io.github.distlock.sample.shop.PaymentLedger;
import io.github.distlock.sample.shop.StaleFencingTokenException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The ledger is the fenced resource: per order, it accepts a charge whose fencing token is at least the newest it
 * has accepted, and refuses an older one.
 */
class PaymentLedgerTests {

    private static final BigDecimal AMOUNT = new BigDecimal("25.00");

    private static InProcessSample sample;

    private static PaymentLedger ledger;

    @BeforeAll
    static void start() {
        sample = InProcessSample.start(Map.of("distributed-lock.backend", "in-memory"));
        ledger = sample.context().getBean(PaymentLedger.class);
    }

    @AfterAll
    static void stop() {
        sample.close();
    }

    @Test
    void chargeWithATokenOlderThanTheNewestAcceptedIsRefused() {
        ledger.charge("order-fenced", AMOUNT, OptionalLong.of(5), "a");
        ledger.charge("order-fenced", AMOUNT, OptionalLong.of(7), "b");
        assertThatExceptionOfType(StaleFencingTokenException.class)
            .isThrownBy(() -> ledger.charge("order-fenced", AMOUNT, OptionalLong.of(6), "c"))
            .satisfies(ex -> {
                assertThat(ex.getFencingToken()).isEqualTo(6);
                assertThat(ex.getNewestToken()).isEqualTo(7);
            });
        assertThat(ledger.chargesOf("order-fenced")).extracting(Charge::chargedBy).containsExactly("a", "b");
    }

    @Test
    void tokensAreComparedPerOrder() {
        ledger.charge("order-one", AMOUNT, OptionalLong.of(100), "a");
        Charge other = ledger.charge("order-two", AMOUNT, OptionalLong.of(1), "b");
        assertThat(other.fencingToken()).isEqualTo(1);
    }

    @Test
    void chargeWithoutATokenIsRecordedUnchecked() {
        ledger.charge("order-unlocked", AMOUNT, OptionalLong.of(9), "a");
        Charge unchecked = ledger.charge("order-unlocked", AMOUNT, OptionalLong.empty(), "b");
        assertThat(unchecked.fencingToken()).isNull();
        assertThat(ledger.chargesOf("order-unlocked")).hasSize(2);
    }

}
