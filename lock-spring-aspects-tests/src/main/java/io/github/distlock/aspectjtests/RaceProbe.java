package io.github.distlock.aspectjtests;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A critical section that shows a race: it counts the runs that found another run inside, and adds one to a
 * balance by a read, a pause and a write, so that overlapping runs lose updates. Thread-safe.
 */
public final class RaceProbe {

    private final AtomicInteger inside = new AtomicInteger();

    private final AtomicInteger overlaps = new AtomicInteger();

    private final AtomicInteger runs = new AtomicInteger();

    private volatile long balance;

    /**
     * Runs the critical section once.
     */
    public void criticalSection() {
        this.runs.incrementAndGet();
        if (this.inside.incrementAndGet() > 1) {
            this.overlaps.incrementAndGet();
        }
        long read = this.balance;
        try {
            Thread.sleep(1);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        this.balance = read + 1;
        this.inside.decrementAndGet();
    }

    /**
     * Returns how many runs found another run inside.
     * @return the overlaps
     */
    public int overlaps() {
        return this.overlaps.get();
    }

    /**
     * Returns how many runs there were.
     * @return the runs
     */
    public int runs() {
        return this.runs.get();
    }

    /**
     * Returns the balance: the number of runs when none overlapped.
     * @return the balance
     */
    public long balance() {
        return this.balance;
    }

}
