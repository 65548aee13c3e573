package io.github.distlock.sample.scenario;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;

/**
 * A {@link LockClient} that counts the lock waits of a simulated server: an acquire first makes one attempt, and
 * only when the lock is held does it wait (through the delegate) and measure the wait. The extra attempt costs one
 * backend call per contended acquire, which a demo can afford.
 *
 * <p>Thread-safe; the counters are updated by the threads that acquire and read by the page's requests.
 */
final class WaitCountingLockClient implements LockClient {

    private final LockClient delegate;

    private final LongAdder waits = new LongAdder();

    private final LongAdder waitNanos = new LongAdder();

    private final AtomicLong longestWaitNanos = new AtomicLong();

    // The delegate's backend calls when this client was made for a run, when it is an engine; -1 when it is not.
    private final long backendCallsBefore;

    WaitCountingLockClient(LockClient delegate) {
        this.delegate = delegate;
        this.backendCallsBefore = (delegate instanceof LockEngine engine) ? engine.backendCalls() : -1;
    }

    /**
     * Returns how many calls the lock service received from this server's engine since this client was made (its
     * own extra attempt per contended acquire included), or -1 when the delegate is not an engine.
     * @return the calls to the lock service
     */
    long lockServiceCalls() {
        return (this.delegate instanceof LockEngine engine) ? engine.backendCalls() - this.backendCallsBefore : -1;
    }

    @Override
    public Optional<Lease> tryAcquire(LockRequest request) {
        return this.delegate.tryAcquire(request);
    }

    @Override
    public Lease acquire(LockRequest request) throws InterruptedException {
        Optional<Lease> atOnce = this.delegate.tryAcquire(request);
        if (atOnce.isPresent()) {
            return atOnce.get();
        }
        long start = System.nanoTime();
        try {
            return this.delegate.acquire(request);
        }
        finally {
            long waited = System.nanoTime() - start;
            this.waits.increment();
            this.waitNanos.add(waited);
            this.longestWaitNanos.accumulateAndGet(waited, Math::max);
        }
    }

    @Override
    public boolean supportsFencingTokens() {
        return this.delegate.supportsFencingTokens();
    }

    @Override
    public String backendName() {
        return this.delegate.backendName();
    }

    /**
     * Returns how many acquires found the lock held and waited.
     * @return the number of waits
     */
    long waits() {
        return this.waits.sum();
    }

    /**
     * Returns the total time spent waiting.
     * @return the total wait
     */
    Duration totalWait() {
        return Duration.ofNanos(this.waitNanos.sum());
    }

    /**
     * Returns the longest single wait.
     * @return the longest wait
     */
    Duration longestWait() {
        return Duration.ofNanos(this.longestWaitNanos.get());
    }

}
