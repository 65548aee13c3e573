package io.github.distlock.testkit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
/**
 * The {@link LeaseBackendContractTests contract} of a backend that issues fencing tokens, plus the fencing
 * guarantees: every grant carries a token, and tokens strictly increase per key in grant order, across release and
 * reacquire and across expiry and takeover.
 *
 * <p>Extend it instead of {@link LeaseBackendContractTests}; {@link #createBackend()} must then return a
 * {@link FencingLeaseBackend}. Not thread-safe itself.
 *
 * @since 0.1.0
 */
public abstract class FencingLeaseBackendContractTests extends LeaseBackendContractTests {

    private static final int CYCLES = 5;

    /**
     * Creates the backend under test, which must issue fencing tokens.
     * @return a new backend
     */
    @Override
    protected abstract FencingLeaseBackend createBackend();

    private long grantedToken(String key) {
        AcquireResult result = attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE);
        assertThat(result.isGranted()).as("a free key must be granted").isTrue();
        assertThat(result.fencingToken()).as("the fencing token of a grant").isPresent();
        return result.fencingToken().getAsLong();
    }

    @Nested
    @DisplayName("fencing tokens")
    class FencingTokens {

        @Test
        void everyGrantCarriesAToken() {
            for (int i = 0; i < CYCLES; i++) {
                grantedToken(uniqueKey());
            }
        }

        @Test
        void tokensStrictlyIncreaseAcrossReleaseAndReacquire() {
            String key = uniqueKey();
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < CYCLES; i++) {
                String owner = newOwnerToken();
                AcquireResult result = attempt(key, owner, ContractTiming.LONG_LEASE);
                assertThat(result.fencingToken()).isPresent();
                long token = result.fencingToken().getAsLong();
                assertThat(token).as("token of grant %s", i).isGreaterThan(previous);
                assertThat(backend().releaseIfOwner(key, owner)).isTrue();
                previous = token;
            }
        }

        @Test
        void tokensStrictlyIncreaseAcrossExpiryAndTakeover() {
            String key = uniqueKey();
            AcquireResult first = attempt(key, newOwnerToken(), shortLease());
            assertThat(first.fencingToken()).isPresent();
            AcquireResult second = awaitGrant(key, newOwnerToken(), shortLease());
            AcquireResult third = awaitGrant(key, newOwnerToken(), ContractTiming.LONG_LEASE);
            assertThat(second.fencingToken()).isPresent();
            assertThat(third.fencingToken()).isPresent();
            assertThat(second.fencingToken().getAsLong()).as("token after the first expiry")
                    .isGreaterThan(first.fencingToken().getAsLong());
            assertThat(third.fencingToken().getAsLong()).as("token after the second expiry")
                    .isGreaterThan(second.fencingToken().getAsLong());
        }

        @Test
        void tokensIncreaseInGrantOrderUnderContention() throws Exception {
            AtomicInteger outOfOrder = new AtomicInteger();
            AtomicLong lastToken = new AtomicLong(Long.MIN_VALUE);
            ContentionOutcome outcome = runContention(uniqueKey(), lease -> {
                // Runs inside the lock: critical sections do not overlap, so their order is the grant order.
                long token = lease.fencingToken().orElseThrow();
                if (token <= lastToken.getAndSet(token)) {
                    outOfOrder.incrementAndGet();
                }
            });
            assertThat(outcome.overlaps()).as("overlapping critical sections").isZero();
            assertThat(outOfOrder).as("grants whose token was not above the previous grant's").hasValue(0);
        }

    }

}
