package io.github.distlock.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.core.DistributedLockException;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import org.jspecify.annotations.Nullable;

/**
 * Several engines contending for one key while a test's fault strikes (a killed leader, a lost quorum, a stalled
 * connection), and a checker of what they saw: whether two workers were ever inside at once, and whether the fencing
 * tokens rose in grant order. For a backend's fault tests, on a real server.
 *
 * <p>Each engine runs the same number of workers. A worker takes the key ({@link LockEngine#acquire}, waiting up to
 * the lease time; a refusal or an unavailable backend makes it try again after 50 ms), marks itself inside, works
 * for 5 ms and leaves, then releases. It counts as inside from its grant until it leaves, its lease is reported lost,
 * or its lease's validity has passed ({@link Lease#isHeld()} says so at once, even when a loaded machine runs the
 * loss listeners late), whichever comes first: a worker that enters while another's lease is still valid is an
 * overlap, one that enters after the other's validity ended is not. {@link #unlocked} runs the
 * same workers without the lock, to show that the checker sees overlaps when there is no lock.
 *
 * <p>Thread-safe: each call has its own workers and state.
 *
 * @since 0.1.0
 */
public final class KeyContention {

    private static final Duration WORK = Duration.ofMillis(5);

    private static final Duration RETRY_PAUSE = Duration.ofMillis(50);

    /** How long a worker may take to finish after the run ends: its acquire is bounded by the lease time. */
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(60);

    private KeyContention() {
    }

    /**
     * Runs locked workers on every engine for the given time while the fault, if any, strikes on a thread of its own.
     * @param engines the contending engines, each over a backend with its own client and connections
     * @param workersPerEngine how many workers each engine runs
     * @param key the key they contend for
     * @param leaseTime the lease time of every request, also the longest wait of one acquire
     * @param runFor how long the workers run
     * @param fault what strikes meanwhile, or {@code null}
     * @return what the workers saw
     * @throws Exception if a worker or the fault failed
     */
    public static Outcome locked(List<LockEngine> engines, int workersPerEngine, String key, Duration leaseTime,
            Duration runFor, @Nullable Fault fault) throws Exception {
        LockRequest request = LockRequest.of(key, leaseTime).withWaitTime(leaseTime);
        List<Worker> workers = new ArrayList<>();
        for (LockEngine engine : engines) {
            for (int i = 0; i < workersPerEngine; i++) {
                workers.add(() -> {
                    try {
                        return engine.acquire(request);
                    }
                    catch (DistributedLockException refusedOrUnavailable) {
                        return null;
                    }
                });
            }
        }
        return run(workers, runFor, fault, true);
    }

    /**
     * Runs the same workers without any lock, so a test can show that the checker finds their overlaps.
     * @param workers how many workers
     * @param runFor how long they run
     * @return what the workers saw: overlaps and no tokens
     * @throws Exception if a worker failed
     */
    public static Outcome unlocked(int workers, Duration runFor) throws Exception {
        List<Worker> unlocked = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            unlocked.add(() -> null);
        }
        return run(unlocked, runFor, null, false);
    }

    private static Outcome run(List<Worker> workers, Duration runFor, @Nullable Fault fault, boolean locked)
            throws Exception {
        AtomicReference<@Nullable Occupant> inside = new AtomicReference<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger grantsAfterFault = new AtomicInteger();
        AtomicBoolean struck = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> tokens = new CopyOnWriteArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(workers.size() + 1);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Worker worker : workers) {
                running.add(threads.submit(() -> {
                    while (!stop.get()) {
                        Lease lease = worker.acquire();
                        if (locked && lease == null) {
                            pause(RETRY_PAUSE);
                            continue;
                        }
                        Occupant me = new Occupant(lease);
                        if (lease != null) {
                            lease.addLossListener((lost, reason) -> inside.compareAndSet(me, null));
                        }
                        enter(inside, me, overlaps);
                        if (lease != null) {
                            lease.fencingToken().ifPresent(tokens::add);
                            if (struck.get()) {
                                grantsAfterFault.incrementAndGet();
                            }
                        }
                        pause(WORK);
                        inside.compareAndSet(me, null);
                        if (lease != null) {
                            lease.release();
                        }
                    }
                    return null;
                }));
            }
            if (fault != null) {
                running.add(threads.submit(() -> {
                    fault.strike(() -> struck.set(true));
                    return null;
                }));
            }
            pause(runFor);
            stop.set(true);
            for (Future<?> worker : running) {
                worker.get(FINISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        finally {
            stop.set(true);
            threads.shutdownNow();
        }
        return new Outcome(overlaps.get(), List.copyOf(tokens), grantsAfterFault.get());
    }

    // Takes the place inside; an occupant whose lease is still valid (or who has none) makes it an overlap.
    private static void enter(AtomicReference<@Nullable Occupant> inside, Occupant me, AtomicInteger overlaps) {
        while (true) {
            Occupant current = inside.get();
            boolean stillProtected = current != null && (current.lease() == null || current.lease().isHeld());
            if (stillProtected) {
                overlaps.incrementAndGet();
                inside.set(me);
                return;
            }
            if (inside.compareAndSet(current, me)) {
                return;
            }
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** A worker inside, with its lease ({@code null} without the lock). */
    private record Occupant(@Nullable Lease lease) {
    }

    @FunctionalInterface
    private interface Worker {

        @Nullable Lease acquire() throws InterruptedException;

    }

    /**
     * A fault that strikes while the workers run.
     */
    @FunctionalInterface
    public interface Fault {

        /**
         * Strikes (and may heal) the fault, calling {@code struck} at the moment it has struck, so that the grants
         * after it are counted.
         * @param struck marks the moment the fault struck
         * @throws Exception if the fault could not be injected
         */
        void strike(Runnable struck) throws Exception;

    }

    /**
     * What the workers saw.
     * @param overlaps how many times a worker entered while another was inside
     * @param tokens the fencing tokens of the grants, in the order the workers entered
     * @param grantsAfterFault how many grants came after the fault struck
     */
    public record Outcome(int overlaps, List<Long> tokens, int grantsAfterFault) {
    }

}
