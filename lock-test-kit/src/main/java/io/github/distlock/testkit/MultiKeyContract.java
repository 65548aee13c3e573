package io.github.distlock.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.MultiKeyLease;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.MultiKeyLeaseBackend;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of a backend that takes several keys in one atomic attempt ({@link MultiKeyLeaseBackend}), as a
 * mix-in for a test class that extends {@link FencingLeaseBackendContractTests}:
 * <pre class="code">
 * class RedisContractTest extends FencingLeaseBackendContractTests implements MultiKeyContract { ... }
 * </pre>
 * All or none, one owner and fencing token per key, a retried attempt after a lost reply granted again, and an
 * engine that takes a free set in one call and a refused one key by key. The tests run exactly when a test class
 * declares the capability, so none is ever skipped.
 *
 * @since 0.1.0
 */
public interface MultiKeyContract {

    /**
     * Returns the backend under test; {@link LeaseBackendContractTests#backend()} implements it.
     * @return the backend
     */
    LeaseBackend backend();

    /**
     * Returns a new random owner token; {@link LeaseBackendContractTests#newOwnerToken()} implements it.
     * @return the owner token
     */
    String newOwnerToken();

    /**
     * Returns new random keys, distinct and in sorted order, that the backend can take together (on a Redis Cluster,
     * keys of one slot).
     * @param count how many
     * @return the keys
     */
    List<String> keysTakenTogether(int count);

    @Test
    @DisplayName("several keys: free keys are taken together, each for its own owner with its own fencing token")
    default void freeKeysAreTakenTogetherEachForItsOwnOwner() {
        List<String> keys = keysTakenTogether(3);
        assertThat(together().acquiresTogether(keys)).isTrue();
        List<String> owners = owners(3);
        List<AcquireResult> results = together().tryAcquireAll(keys, owners, ContractTiming.LONG_LEASE);
        assertThat(results).hasSize(3).allMatch(AcquireResult::isGranted);
        assertThat(results).allMatch(result -> result.fencingToken().isPresent());
        for (int i = 0; i < 3; i++) {
            assertThat(backend().tryAcquire(keys.get(i), newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                .as("another owner's attempt on key %d", i).isFalse();
            assertThat(backend().releaseIfOwner(keys.get(i), owners.get((i + 1) % 3)))
                .as("key %d released by another key's owner", i).isFalse();
            assertThat(backend().renewIfOwner(keys.get(i), owners.get(i), ContractTiming.LONG_LEASE)).isTrue();
            assertThat(backend().releaseIfOwner(keys.get(i), owners.get(i))).isTrue();
        }
    }

    @Test
    @DisplayName("several keys: one held key refuses the whole set and leaves the other keys free")
    default void oneHeldKeyRefusesTheSetAndLeavesTheOthersFree() {
        List<String> keys = keysTakenTogether(3);
        String holder = newOwnerToken();
        assertThat(backend().tryAcquire(keys.get(1), holder, ContractTiming.LONG_LEASE).isGranted()).isTrue();
        List<AcquireResult> results = together().tryAcquireAll(keys, owners(3), ContractTiming.LONG_LEASE);
        assertThat(results).hasSize(1);
        assertThat(results.get(0).isGranted()).isFalse();
        assertThat(results.get(0).holderRemaining()).hasValueSatisfying(
                remaining -> assertThat(remaining).isPositive().isLessThanOrEqualTo(ContractTiming.LONG_LEASE));
        for (int i : new int[] { 0, 2 }) {
            String owner = newOwnerToken();
            assertThat(backend().tryAcquire(keys.get(i), owner, ContractTiming.LONG_LEASE).isGranted())
                .as("key %d after the refused set", i).isTrue();
            assertThat(backend().releaseIfOwner(keys.get(i), owner)).isTrue();
        }
        assertThat(backend().releaseIfOwner(keys.get(1), holder)).isTrue();
    }

    @Test
    @DisplayName("several keys: a retried attempt of the same owners (a lost reply) is granted with the same tokens")
    default void aRetriedAttemptOfTheSameOwnersIsGrantedAgain() {
        List<String> keys = keysTakenTogether(2);
        List<String> owners = owners(2);
        List<AcquireResult> first = together().tryAcquireAll(keys, owners, ContractTiming.LONG_LEASE);
        List<AcquireResult> retried = together().tryAcquireAll(keys, owners, ContractTiming.LONG_LEASE);
        assertThat(retried).extracting(AcquireResult::fencingToken)
            .containsExactlyElementsOf(first.stream().map(AcquireResult::fencingToken).toList());
        for (int i = 0; i < 2; i++) {
            assertThat(backend().releaseIfOwner(keys.get(i), owners.get(i))).isTrue();
        }
    }

    @Test
    @DisplayName("several keys: each key's token is higher than every token issued for it before")
    default void eachTokenIsHigherThanEveryEarlierTokenOfItsKey() {
        List<String> keys = keysTakenTogether(2);
        String single = newOwnerToken();
        long before = backend().tryAcquire(keys.get(0), single, ContractTiming.LONG_LEASE).fencingToken().orElseThrow();
        assertThat(backend().releaseIfOwner(keys.get(0), single)).isTrue();
        List<String> owners = owners(2);
        List<AcquireResult> results = together().tryAcquireAll(keys, owners, ContractTiming.LONG_LEASE);
        assertThat(results.get(0).fencingToken().orElseThrow()).isGreaterThan(before);
        for (int i = 0; i < 2; i++) {
            assertThat(backend().releaseIfOwner(keys.get(i), owners.get(i))).isTrue();
        }
    }

    @Test
    @DisplayName("several keys: an engine takes a free set in one attempt and a refused set key by key")
    default void anEngineTakesAFreeSetTogetherAndWaitsForAHeldOneKeyByKey() throws Exception {
        List<String> keys = keysTakenTogether(3);
        try (LockEngine engine = new LockEngine(backend(), LockEngineSettings.defaults())) {
            List<String> reversed = new ArrayList<>(keys);
            Collections.reverse(reversed);
            List<LockRequest> requests = new ArrayList<>();
            for (String key : reversed) {
                requests.add(new LockRequest(key, ContractTiming.LONG_LEASE, ContractTiming.LONG_WAIT, true, false));
            }
            try (MultiKeyLease set = engine.acquireAll(requests)) {
                assertThat(set.leases()).extracting(Lease::key).containsExactlyElementsOf(keys);
                assertThat(set.fencingTokens()).hasSize(3);
                assertThat(engine.tryAcquireAll(requests)).as("the same set while it is held").isEmpty();
            }
            String holder = newOwnerToken();
            assertThat(backend().tryAcquire(keys.get(2), holder, ContractTiming.SHORT_LEASE).isGranted()).isTrue();
            try (MultiKeyLease set = engine.acquireAll(requests)) {
                assertThat(set.isHeld()).as("granted once the holder's short lease ended").isTrue();
            }
            assertThat(engine.heldLeaseCount()).isZero();
        }
    }

    private MultiKeyLeaseBackend together() {
        assertThat(backend()).as("a test class that implements MultiKeyContract needs a backend that implements "
                + "MultiKeyLeaseBackend").isInstanceOf(MultiKeyLeaseBackend.class);
        return (MultiKeyLeaseBackend) backend();
    }

    private List<String> owners(int count) {
        List<String> owners = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            owners.add(newOwnerToken());
        }
        return owners;
    }

}
