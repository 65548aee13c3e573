package io.github.distlock.core.engine;

import java.util.concurrent.CountDownLatch;

import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shows what the lock is for: two threads doing read-yield-write increments on a shared counter lose updates
 * without it, and lose none inside {@link LockEngine#callWithLock}. The first test proves that the second one
 * could fail.
 */
class LostUpdateDemonstrationTests extends EngineTestSupport {

    private static final int INCREMENTS_PER_THREAD = 1_000;

    private static final int LOCKED_INCREMENTS_PER_THREAD = 200;

    private static final int MAX_ROUNDS = 50;

    // Read and written by both threads; volatile, so that a lost update comes from the interleaving alone.
    private volatile int counter;

    private void incrementRacily() {
        int read = this.counter;
        Thread.yield();
        this.counter = read + 1;
    }

    @Test
    void withoutTheLockConcurrentIncrementsLoseUpdates() throws Exception {
        int lost = 0;
        for (int round = 0; round < MAX_ROUNDS && lost == 0; round++) {
            this.counter = 0;
            inTwoThreads(INCREMENTS_PER_THREAD, this::incrementRacily);
            lost = 2 * INCREMENTS_PER_THREAD - this.counter;
        }
        assertThat(lost).as("updates lost without the lock in up to %s rounds", MAX_ROUNDS).isPositive();
    }

    @Test
    void withCallWithLockNoUpdateIsLost() throws Exception {
        LockEngine engine = engineOver(new InMemoryLeaseBackend());
        LockRequest request = request(uniqueKey(), TestTimings.LONG_LEASE).withWaitTime(TestTimings.LONG_WAIT);
        this.counter = 0;
        inTwoThreads(LOCKED_INCREMENTS_PER_THREAD, () -> engine.callWithLock(request, () -> {
            incrementRacily();
            return null;
        }));
        assertThat(this.counter).isEqualTo(2 * LOCKED_INCREMENTS_PER_THREAD);
    }

    private static void inTwoThreads(int times, Step step) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        Background<Void> first = startOnAnotherThread(() -> repeat(start, times, step));
        Background<Void> second = startOnAnotherThread(() -> repeat(start, times, step));
        start.countDown();
        first.get();
        second.get();
    }

    private static Void repeat(CountDownLatch start, int times, Step step) throws Exception {
        start.await();
        for (int i = 0; i < times; i++) {
            step.run();
        }
        return null;
    }

    @FunctionalInterface
    private interface Step {

        void run() throws Exception;

    }

}
