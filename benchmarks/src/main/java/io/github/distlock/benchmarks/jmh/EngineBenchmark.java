package io.github.distlock.benchmarks.jmh;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The engine's own paths on the in-memory backend: a first acquire and release with one attempt, the same with a
 * wait time (which registers the caller as a waiter for release notifications before its first attempt), and a
 * reentrant acquire and release by a thread that already holds the key (no backend call).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EngineBenchmark {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private final LockRequest once = LockRequest.of("engine:once", LEASE);

    private final LockRequest waiting = LockRequest.of("engine:waiting", LEASE).withWaitTime(Duration.ofSeconds(5));

    private final LockRequest reentrant = LockRequest.of("engine:reentrant", LEASE).withWaitTime(Duration.ofSeconds(5));

    private LockEngine engine;

    // Taken by the benchmark thread on its first call: reentrancy is per thread.
    private @Nullable Lease outer;

    /**
     * Creates the engine.
     */
    @Setup
    public void start() {
        this.engine = new LockEngine(new InMemoryLeaseBackend());
    }

    /**
     * Releases the outer hold and closes the engine.
     */
    @TearDown
    public void stop() {
        if (this.outer != null) {
            this.outer.release();
        }
        this.engine.close();
    }

    /**
     * Acquire with one attempt, then release.
     * @return the lease
     * @throws InterruptedException never
     */
    @Benchmark
    public Lease acquireOnceAndRelease() throws InterruptedException {
        Lease lease = this.engine.acquire(this.once);
        lease.release();
        return lease;
    }

    /**
     * Acquire with a wait time (uncontended), then release.
     * @return the lease
     * @throws InterruptedException never
     */
    @Benchmark
    public Lease acquireWithWaitAndRelease() throws InterruptedException {
        Lease lease = this.engine.acquire(this.waiting);
        lease.release();
        return lease;
    }

    /**
     * Acquire again a key this thread holds, then release that inner hold.
     * @return the inner handle
     * @throws InterruptedException never
     */
    @Benchmark
    public Lease reentrantAcquireAndRelease() throws InterruptedException {
        if (this.outer == null) {
            this.outer = this.engine.acquire(this.reentrant);
        }
        Lease inner = this.engine.acquire(this.reentrant);
        inner.release();
        return inner;
    }

}
