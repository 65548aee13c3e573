package io.github.distlock.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;

/**
 * The waiters of one engine for one key, sharing one backend subscription: threads parked in
 * {@link #awaitRelease} and asynchronous acquires registered with {@link #onReleaseAfter}. A release notification
 * bumps the version, wakes the threads and runs the callbacks; a waiter compares the version it saw before its
 * attempt, so a release that lands between its attempt and its sleep (or its registration) is not missed.
 */
final class ReleaseWaiters {

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition released = this.lock.newCondition();

    // Guarded by lock.
    private long version;

    // Guarded by lock: the callbacks of asynchronous waiters, each run once, by the next signal.
    private final List<Runnable> callbacks = new ArrayList<>();

    // Mutated only inside ConcurrentHashMap.compute for this key, which serializes it.
    int waiting;

    @Nullable ReleaseSubscription subscription;

    long version() {
        this.lock.lock();
        try {
            return this.version;
        }
        finally {
            this.lock.unlock();
        }
    }

    void signalReleased() {
        List<Runnable> due;
        this.lock.lock();
        try {
            this.version++;
            this.released.signalAll();
            if (this.callbacks.isEmpty()) {
                return;
            }
            due = List.copyOf(this.callbacks);
            this.callbacks.clear();
        }
        finally {
            this.lock.unlock();
        }
        // Outside the lock: a callback may register again, or remove itself.
        due.forEach(Runnable::run);
    }

    /**
     * Runs the callback at the next signal, or at once (on the calling thread) if a signal came after the waiter
     * saw {@code seenVersion}. The callback must not block: signals come from backend threads.
     */
    void onReleaseAfter(long seenVersion, Runnable callback) {
        this.lock.lock();
        try {
            if (this.version == seenVersion) {
                this.callbacks.add(callback);
                return;
            }
        }
        finally {
            this.lock.unlock();
        }
        callback.run();
    }

    /** Forgets a callback that no longer needs the signal (its waiter woke for another reason). */
    void removeCallback(Runnable callback) {
        this.lock.lock();
        try {
            this.callbacks.remove(callback);
        }
        finally {
            this.lock.unlock();
        }
    }

    void awaitRelease(long seenVersion, long timeoutNanos) throws InterruptedException {
        long remaining = timeoutNanos;
        this.lock.lock();
        try {
            while (this.version == seenVersion && remaining > 0) {
                remaining = this.released.awaitNanos(remaining);
            }
        }
        finally {
            this.lock.unlock();
        }
    }

}
