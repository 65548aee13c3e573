package io.github.distlock.core.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;

/**
 * The threads of one engine waiting for one key, sharing one backend subscription. A release notification bumps
 * the version and wakes them; a waiter compares the version it saw before its attempt, so a release that lands
 * between its attempt and its sleep is not missed.
 */
final class ReleaseWaiters {

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition released = this.lock.newCondition();

    // Guarded by lock.
    private long version;

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
        this.lock.lock();
        try {
            this.version++;
            this.released.signalAll();
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

    static void sleep(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos);
    }

}
