package io.github.distlock.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.MultiKeyLease;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Several keys taken together ({@code acquireAll}, {@code tryAcquireAll}, {@code acquireAllAsync}): sorted order,
 * all or nothing, one lease and token per key, released together; and the deadlock that taking keys in the callers'
 * own orders gives, which the sorted order removes. On the in-memory backend; the test kit runs the overlap test on
 * every real backend.
 */
class MultiKeyLockingTests extends EngineTestSupport {

    private static LockRequest waiting(String key, Duration waitTime) {
        return LockRequest.of(key, TestTimings.LONG_LEASE).withWaitTime(waitTime);
    }

    private static List<LockRequest> waitingFor(Duration waitTime, String... keys) {
        List<LockRequest> requests = new ArrayList<>();
        for (String key : keys) {
            requests.add(waiting(key, waitTime));
        }
        return requests;
    }

    /** The key after the given one in lock order: its last character replaced by the next one. */
    private static String nextKey(String key) {
        return key.substring(0, key.length() - 1) + (char) (key.charAt(key.length() - 1) + 1);
    }

    private static Lease holdOnAnotherThread(LockEngine engine, String key) throws Exception {
        return onAnotherThread(() -> engine.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE)).orElseThrow());
    }

    @Test
    void keysAreTakenInSortedOrderWhateverTheOrderTheyAreGivenIn() throws Exception {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        String prefix = uniqueKey();
        try (MultiKeyLease set = engine.acquireAll(waitingFor(Duration.ZERO, prefix + "c", prefix + "a", prefix + "b"))) {
            assertThat(set.leases()).extracting(Lease::key).containsExactly(prefix + "a", prefix + "b", prefix + "c");
            assertThat(backend.acquireCalls).hasValue(3);
            assertThat(set.key()).isEqualTo(List.of(prefix + "a", prefix + "b", prefix + "c").toString());
            assertThat(set.isHeld()).isTrue();
        }
        assertThat(backend.releaseCalls).hasValue(3);
    }

    @Test
    void aKeyHeldByAnotherOwnerLeavesNoKeyOfTheSetHeld() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String a = uniqueKey() + "a";
        String b = nextKey(a);
        Lease other = holdOnAnotherThread(engine, b);

        assertThat(engine.tryAcquireAll(waitingFor(Duration.ZERO, a, b))).isEmpty();
        assertThat(freeForAnotherThread(engine, a)).as("the first key, taken before the refusal").isTrue();

        assertThatExceptionOfType(LockNotAcquiredException.class)
            .isThrownBy(() -> engine.acquireAll(waitingFor(TestTimings.SHORT_WAIT, a, b)))
            .satisfies(ex -> assertThat(ex.getKey()).isEqualTo(b))
            .satisfies(ex -> assertThat(ex.getWaitTime()).isEqualTo(TestTimings.SHORT_WAIT));
        assertThat(freeForAnotherThread(engine, a)).as("the first key, after the wait for the second ended").isTrue();
        assertThat(engine.heldLeaseCount()).isEqualTo(1);
        other.release();
    }

    @Test
    void aBackendFailureOnALaterKeyReleasesTheEarlierOnes() {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        String a = uniqueKey() + "a";
        String b = nextKey(a);
        backend.failAcquireOfKey = b;
        assertThatExceptionOfType(LockUnavailableException.class)
            .isThrownBy(() -> engine.acquireAll(waitingFor(Duration.ZERO, a, b)));
        assertThat(engine.heldLeaseCount()).isZero();
        assertThat(backend.releaseOwners).as("owners released: the first key's, and the failed attempt's")
            .contains(backend.acquireOwners.get(0));
        backend.failAcquireOfKey = null;
        assertThat(engine.tryAcquire(LockRequest.of(a, TestTimings.LONG_LEASE))).isPresent();
    }

    @Test
    void anInvalidRequestAnywhereInTheSetFailsBeforeAnyKeyIsTaken() {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        backend.maxKeyLength = 20;
        LockEngine engine = engineOver(backend);
        assertThatIllegalArgumentException()
            .isThrownBy(() -> engine.acquireAll(waitingFor(Duration.ZERO, "a", "b", "z".repeat(21))))
            .withMessageContaining("at most 20");
        assertThat(backend.calls()).isZero();
    }

    @Test
    void anEmptySetIsRefusedRatherThanRunUnlocked() {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        assertThatIllegalArgumentException().isThrownBy(() -> engine.acquireAll(List.of()))
            .withMessageContaining("at least one");
        assertThatIllegalArgumentException().isThrownBy(() -> engine.tryAcquireAll(List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> engine.acquireAllAsync(List.of()));
    }

    @Test
    void aKeyGivenTwiceIsTakenOnceAndOneKeyOnTwoTermsIsRefused() throws Exception {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        String key = uniqueKey();
        try (MultiKeyLease set = engine.acquireAll(waitingFor(Duration.ZERO, key, key))) {
            assertThat(set.leases()).hasSize(1);
        }
        assertThatIllegalArgumentException()
            .isThrownBy(() -> engine.acquireAll(List.of(waiting(key, Duration.ZERO),
                    waiting(key, Duration.ZERO).withAutoRenew(false))))
            .withMessageContaining("twice on different terms");
        assertThat(backend.acquireCalls).hasValue(1);
    }

    @Test
    void eachKeyHasItsOwnFencingTokenAndTheSetHasNoSingleOne() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String a = uniqueKey() + "a";
        String b = nextKey(a);
        try (MultiKeyLease set = engine.acquireAll(waitingFor(Duration.ZERO, b, a))) {
            Map<String, Long> tokens = set.fencingTokens();
            assertThat(tokens.keySet()).containsExactly(a, b);
            assertThat(tokens.get(a)).isEqualTo(set.leases().get(0).fencingToken().getAsLong());
            assertThat(tokens.get(b)).isEqualTo(set.leases().get(1).fencingToken().getAsLong());
            assertThat(set.fencingToken()).isEmpty();
        }
    }

    @Test
    void theLossOfOneKeyIsTheLossOfTheSetToldOnce() throws Exception {
        RecordingLeaseBackend backend = new RecordingLeaseBackend();
        LockEngine engine = engineOver(backend);
        String prefix = uniqueKey();
        List<LockRequest> requests = List.of(LockRequest.of(prefix + "a", TestTimings.SHORT_LEASE),
                LockRequest.of(prefix + "b", TestTimings.SHORT_LEASE));
        MultiKeyLease set = engine.acquireAll(requests);
        List<String> told = Collections.synchronizedList(new ArrayList<>());
        set.addLossListener((lease, reason) -> told.add(reason));
        backend.refuseRenewal = true;
        await().atMost(TestTimings.PATIENCE).until(() -> !set.isHeld());
        pause(TestTimings.QUIET_PERIOD);
        assertThat(told).hasSize(1);
        assertThatThrownBy(set::checkHeld).hasMessageContaining(prefix);
        assertThat(set.remainingValidity()).isZero();
        set.release();
    }

    @Test
    void anAsynchronousSetIsGrantedOnceEveryKeyIsFreeAndReleasedTogether() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String a = uniqueKey() + "a";
        String b = nextKey(a);
        Lease other = holdOnAnotherThread(engine, b);
        CompletableFuture<MultiKeyLease> future = engine.acquireAllAsync(waitingFor(TestTimings.LONG_WAIT, a, b));
        await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == 1);
        assertThat(future).isNotDone();
        assertThat(freeForAnotherThread(engine, a)).as("the first key, held while the second is awaited").isFalse();
        other.release();
        MultiKeyLease set = future.get(TestTimings.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(set.leases()).extracting(Lease::key).containsExactly(a, b);
        set.release();
        assertThat(freeForAnotherThread(engine, a)).isTrue();
        assertThat(freeForAnotherThread(engine, b)).isTrue();
    }

    @Test
    void cancellingAnAsynchronousSetReleasesTheKeysItTookAndStopsWaiting() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String a = uniqueKey() + "a";
        String b = nextKey(a);
        Lease other = holdOnAnotherThread(engine, b);
        CompletableFuture<MultiKeyLease> future = engine.acquireAllAsync(waitingFor(TestTimings.LONG_WAIT, a, b));
        await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == 1);
        future.cancel(false);
        await().atMost(TestTimings.PATIENCE).until(() -> engine.waiterCount() == 0 && engine.heldLeaseCount() == 1);
        other.release();
        pause(TestTimings.QUIET_PERIOD);
        assertThat(engine.heldLeaseCount()).as("no lease after the cancel, not even of the key freed later").isZero();
    }

    @Test
    void anAsynchronousSetWhoseWaitEndsFailsNamingTheHeldKeyWithNoKeyHeld() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String a = uniqueKey() + "a";
        String b = nextKey(a);
        Lease other = holdOnAnotherThread(engine, b);
        CompletableFuture<MultiKeyLease> future = engine.acquireAllAsync(waitingFor(TestTimings.SHORT_WAIT, a, b));
        assertThatThrownBy(() -> future.get(TestTimings.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(LockNotAcquiredException.class)
            .hasMessageContaining(b);
        await().atMost(TestTimings.PATIENCE).until(() -> engine.heldLeaseCount() == 1);
        other.release();
    }

    /**
     * The hazard the sorted order removes: two callers that take {a, b} and {b, a} key by key, each holding its
     * first key when it asks for its second, wait for each other until their waits end.
     */
    @Test
    void withoutTheSortedOrderTwoCallersTakingOpposingOrdersDeadlockUntilTheirWaitsEnd() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String a = uniqueKey() + "a";
        String b = nextKey(a);
        CyclicBarrier bothHoldTheirFirstKey = new CyclicBarrier(2);
        AtomicInteger timedOut = new AtomicInteger();
        Background<Void> first = startOnAnotherThread(() -> oneByOne(engine, a, b, bothHoldTheirFirstKey, timedOut));
        Background<Void> second = startOnAnotherThread(() -> oneByOne(engine, b, a, bothHoldTheirFirstKey, timedOut));
        first.get();
        second.get();
        assertThat(timedOut).as("callers whose wait for their second key ended").hasPositiveValue();
    }

    private static Void oneByOne(LockEngine engine, String firstKey, String secondKey, CyclicBarrier barrier,
            AtomicInteger timedOut) throws Exception {
        try (Lease first = engine.acquire(waiting(firstKey, Duration.ZERO))) {
            barrier.await(TestTimings.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            try (Lease second = engine.acquire(waiting(secondKey, TestTimings.SHORT_WAIT))) {
                return null;
            }
            catch (LockNotAcquiredException ex) {
                timedOut.incrementAndGet();
                return null;
            }
        }
    }

    @Test
    void randomOverlappingSetsTakenOneByOneInTheirOwnOrderTimeOutWhileTakenTogetherTheyNeverDeadlockNorOverlap()
            throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        String prefix = uniqueKey() + "-";
        Outcome unordered = runOverlappingSets(engine, prefix, false);
        assertThat(unordered.overlaps()).as("overlaps key by key").isZero();
        assertThat(unordered.timedOut()).as("sets that waited in a cycle until the wait ended, taken one by one")
            .isPositive();
        Outcome together = runOverlappingSets(engine, prefix, true);
        assertThat(together.overlaps()).as("overlaps with acquireAll").isZero();
        assertThat(together.timedOut()).as("sets that were not granted with acquireAll").isZero();
        assertThat(together.completed()).isEqualTo(SET_THREADS * SET_ITERATIONS);
    }

    private static final int SET_THREADS = 8;

    private static final int SET_ITERATIONS = 60;

    private static final int SET_KEYS = 6;

    record Outcome(int completed, int timedOut, int overlaps) {
    }

    /**
     * Threads that each lock random sets of 1 to 5 of a few keys, either together or one by one in the set's own
     * random order (each key's wait bounded, so a cycle ends in a timeout instead of hanging the test), and count
     * the times a key had two holders.
     */
    private static Outcome runOverlappingSets(LockEngine engine, String prefix, boolean together) throws Exception {
        AtomicReferenceArray<Thread> holders = new AtomicReferenceArray<>(SET_KEYS);
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Duration waitTime = together ? TestTimings.LONG_WAIT : Duration.ofMillis(100);
        ExecutorService pool = Executors.newFixedThreadPool(SET_THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < SET_THREADS; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < SET_ITERATIONS; i++) {
                        List<Integer> indexes = randomSet();
                        List<LockRequest> requests = new ArrayList<>();
                        for (int index : indexes) {
                            requests.add(LockRequest.of(prefix + index, TestTimings.LONG_LEASE).withWaitTime(waitTime)
                                .withReentrant(false));
                        }
                        List<Lease> held = new ArrayList<>();
                        try {
                            if (together) {
                                held.add(engine.acquireAll(requests));
                            }
                            else {
                                for (LockRequest request : requests) {
                                    held.add(engine.acquire(request));
                                    Thread.sleep(1);
                                }
                            }
                            for (int index : indexes) {
                                if (!holders.compareAndSet(index, null, Thread.currentThread())) {
                                    overlaps.incrementAndGet();
                                }
                            }
                            Thread.sleep(1);
                            for (int index : indexes) {
                                holders.compareAndSet(index, Thread.currentThread(), null);
                            }
                            completed.incrementAndGet();
                        }
                        catch (LockNotAcquiredException ex) {
                            timedOut.incrementAndGet();
                        }
                        finally {
                            Collections.reverse(held);
                            held.forEach(Lease::release);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(2, TimeUnit.MINUTES);
            }
        }
        finally {
            pool.shutdownNow();
        }
        return new Outcome(completed.get(), timedOut.get(), overlaps.get());
    }

    private static List<Integer> randomSet() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < SET_KEYS; i++) {
            all.add(i);
        }
        Collections.shuffle(all, ThreadLocalRandom.current());
        return new ArrayList<>(all.subList(0, 1 + ThreadLocalRandom.current().nextInt(5)));
    }

}
