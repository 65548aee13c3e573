package io.github.distlock.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLossListener;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one granted lease, shared by all handles to it (a reentrant acquire adds a handle). Renewal,
 * release and loss detection are serialized by {@link #stateLock}, which a renewal holds while its backend call is
 * in flight: once a release has taken the lock and marked the lease released, no renewal can be sent.
 */
final class SharedLease {

    private static final Logger logger = LoggerFactory.getLogger(SharedLease.class);

    enum State { HELD, LOST, RELEASED }

    final LockEngine engine;

    final String key;

    final String ownerToken;

    final OptionalLong fencingToken;

    final Duration leaseTime;

    private final ReentrantLock stateLock = new ReentrantLock();

    // Written under stateLock (by the acquiring thread, the renewal scheduler or a releasing thread); volatile so
    // that isHeld() can read it without the lock.
    private volatile State state = State.HELD;

    // Written by the acquiring thread before publication, then by the renewal task under stateLock.
    private volatile long validUntilNanos;

    private volatile String lossReason = "";

    private final List<LeaseLossListener> listeners = new CopyOnWriteArrayList<>();

    // Guarded by stateLock.
    private int openHandles = 1;

    // Guarded by stateLock: the renewal or expiry task of this lease.
    private @Nullable ScheduledFuture<?> watchdog;

    // The reentrancy registry of the acquiring thread, or null for a non-reentrant lease. Concurrent, because the
    // last handle may be released from another thread.
    private final @Nullable Map<String, SharedLease> reentrancyRegistry;

    SharedLease(LockEngine engine, String key, String ownerToken, OptionalLong fencingToken, Duration leaseTime,
            long validUntilNanos, @Nullable Map<String, SharedLease> reentrancyRegistry) {
        this.engine = engine;
        this.key = key;
        this.ownerToken = ownerToken;
        this.fencingToken = fencingToken;
        this.leaseTime = leaseTime;
        this.validUntilNanos = validUntilNanos;
        this.reentrancyRegistry = reentrancyRegistry;
    }

    void startWatchdog(ScheduledFuture<?> task) {
        this.stateLock.lock();
        try {
            if (this.state == State.HELD) {
                this.watchdog = task;
                return;
            }
        }
        finally {
            this.stateLock.unlock();
        }
        task.cancel(false);
    }

    State state() {
        return this.state;
    }

    String lossReason() {
        return this.lossReason;
    }

    boolean isHeld() {
        if (this.state != State.HELD) {
            return false;
        }
        if (System.nanoTime() - this.validUntilNanos >= 0) {
            // Never wait here for a renewal that is stuck in a slow backend call: the answer is already known, and
            // the renewal task records the loss itself when it returns.
            markLost("its validity passed without a successful renewal", false);
            return false;
        }
        return true;
    }

    Duration remainingValidity() {
        if (!isHeld()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, this.validUntilNanos - System.nanoTime()));
    }

    /**
     * Adds a handle for a reentrant acquire.
     * @return {@code false} if the lease is no longer held
     */
    boolean addHandle() {
        // isHeld() also checks the validity (and marks the lease lost when it passed): between two renewal runs a
        // lease can be past its validity while its state still says HELD, and a re-entry must not be granted then.
        if (!isHeld()) {
            return false;
        }
        this.stateLock.lock();
        try {
            if (this.state != State.HELD) {
                return false;
            }
            this.openHandles++;
            return true;
        }
        finally {
            this.stateLock.unlock();
        }
    }

    void releaseHandle() {
        this.stateLock.lock();
        try {
            if (this.state == State.RELEASED || --this.openHandles > 0) {
                return;
            }
            this.state = State.RELEASED;
            cancelWatchdog();
        }
        finally {
            this.stateLock.unlock();
        }
        if (this.reentrancyRegistry != null) {
            this.reentrancyRegistry.remove(this.key, this);
        }
        // Sent even after a loss: it is owner-checked, and it frees a key that only this process thought expired.
        this.engine.releaseQuietly(this.key, this.ownerToken);
    }

    /** Runs on the shared scheduler every renewal interval. */
    void renewUnlessLost() {
        String lostBecause = null;
        this.stateLock.lock();
        try {
            if (this.state != State.HELD) {
                cancelWatchdog();
                return;
            }
            long start = System.nanoTime();
            if (start - this.validUntilNanos >= 0) {
                lostBecause = "its validity passed without a successful renewal";
            }
            else {
                try {
                    if (this.engine.backend().renewIfOwner(this.key, this.ownerToken, this.leaseTime)) {
                        this.validUntilNanos = start + this.engine.validNanos(this.leaseTime);
                    }
                    else {
                        lostBecause = "the backend reports that this owner no longer holds the key";
                    }
                }
                catch (RuntimeException ex) {
                    // A transient failure is retried at the next interval; the validity check above marks the lease
                    // lost once it can no longer be trusted.
                    logger.warn("Renewal of lock '{}' on backend '{}' failed; retrying until its validity passes",
                            this.key, this.engine.backendName(), ex);
                }
            }
        }
        finally {
            this.stateLock.unlock();
        }
        if (lostBecause != null) {
            markLost(lostBecause);
        }
    }

    /** Runs once at the end of the validity of a lease that is not renewed automatically. */
    void expireUnlessReleased() {
        if (this.state == State.HELD && System.nanoTime() - this.validUntilNanos >= 0) {
            markLost("its lease time passed and automatic renewal is off");
        }
    }

    void markLost(String reason) {
        markLost(reason, true);
    }

    private void markLost(String reason, boolean waitForLock) {
        if (waitForLock) {
            this.stateLock.lock();
        }
        else if (!this.stateLock.tryLock()) {
            return;
        }
        try {
            if (this.state != State.HELD) {
                return;
            }
            this.lossReason = reason;
            this.state = State.LOST;
            cancelWatchdog();
        }
        finally {
            this.stateLock.unlock();
        }
        logger.warn("Lost the lease on lock '{}' (backend '{}'): {}", this.key, this.engine.backendName(), reason);
        Lease view = new LeaseHandle(this);
        for (LeaseLossListener listener : this.listeners) {
            // Whoever removes a listener tells it: a listener added concurrently (see addLossListener) may be in
            // this snapshot too, and must still hear of the loss only once.
            if (this.listeners.remove(listener)) {
                notifyListener(listener, view, reason);
            }
        }
        this.engine.notifyLeaseLost(view, reason);
    }

    void addLossListener(LeaseLossListener listener, Lease view) {
        this.listeners.add(listener);
        // A listener that arrives after the loss would never hear of it otherwise.
        if (this.state == State.LOST && this.listeners.remove(listener)) {
            notifyListener(listener, view, this.lossReason);
        }
    }

    static void notifyListener(LeaseLossListener listener, Lease lease, String reason) {
        try {
            listener.onLeaseLost(lease, reason);
        }
        catch (RuntimeException ex) {
            logger.warn("Lease loss listener {} failed for lock '{}'", listener, lease.key(), ex);
        }
    }

    private void cancelWatchdog() {
        ScheduledFuture<?> task = this.watchdog;
        if (task != null) {
            task.cancel(false);
            this.watchdog = null;
        }
    }

}
