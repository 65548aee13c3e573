package io.github.distlock.core.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLossListener;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockMode;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one granted lease, shared by all handles to it (a reentrant acquire adds a handle).
 *
 * <p>Three kinds of work touch it, and none waits for another's backend call:
 * <ul>
 * <li>the engine's <b>timer</b> thread decides when: it starts a renewal every renewal interval and, at the end of
 * the validity, marks the lease lost unless a renewal moved the validity on. It never calls the backend, so a stuck
 * renewal can never delay the loss of this lease or of any other;</li>
 * <li>a <b>renewal</b> thread of the engine's pool makes the backend call; one renewal per lease is in flight at a
 * time, and the next is started when it returns;</li>
 * <li>the <b>holder</b> releases, checks or re-enters the lease from any thread.</li>
 * </ul>
 * State changes happen in short sections synchronized on this object, never across a backend call. Once the lease
 * is {@code LOST} or {@code RELEASED} it never becomes {@code HELD} again, so a renewal that returns late cannot
 * revive it.
 */
final class SharedLease {

    private static final Logger logger = LoggerFactory.getLogger(SharedLease.class);

    /**
     * {@code LINGERING}: every handle was released before the request's minimum hold passed, so the key stays held
     * in the backend, not renewed, until the engine's timer releases it at the end of the minimum hold.
     */
    enum State { HELD, LINGERING, LOST, RELEASED }

    final LockEngine engine;

    final String key;

    final String name;

    final String ownerToken;

    final OptionalLong fencingToken;

    final Duration leaseTime;

    final LockMode mode;

    private final boolean autoRenew;

    private final long renewalIntervalNanos;

    // When the attempt that granted the lease started (System.nanoTime): renewals are counted from it.
    private final long grantedNanos;

    // Until when (System.nanoTime) the key stays held however early its handles are released: the grant plus the
    // minimum hold, moved on by a reentrant acquire that asks for one; meaningful only when holdsAfterRelease.
    // Guarded by this object's monitor.
    private long holdUntilNanos;

    // Whether any request that got a handle asked for a minimum hold. Guarded by this object's monitor.
    private boolean holdsAfterRelease;

    // The timer task that ends a LINGERING lease. Guarded by this object's monitor.
    private @Nullable ScheduledFuture<?> lingerEndTask;

    // Written under this object's monitor; volatile so that isHeld() answers without taking it.
    private volatile State state = State.HELD;

    // Written under this object's monitor (by the renewal that succeeded); volatile for isHeld().
    private volatile long validUntilNanos;

    // Guarded by this object's monitor.
    private String lossReason = "";

    // Written under this object's monitor with lossReason.
    private LeaseLoss.@Nullable Cause lossCause;

    // Written by the renewal thread after each accepted renewal; read by whoever lists the engine's leases.
    private volatile long renewals;

    private int openHandles = 1;

    private boolean releaseSent;

    private @Nullable ScheduledFuture<?> renewalTask;

    private @Nullable ScheduledFuture<?> expiryTask;

    // When the renewal now queued or in flight was started (System.nanoTime), or 0 when none is.
    private long renewalStartedNanos;

    private @Nullable RuntimeException lastRenewalFailure;

    private final List<LeaseLossListener> listeners = new CopyOnWriteArrayList<>();

    // The reentrancy registry of the acquiring thread, or null for a non-reentrant lease. Concurrent, because the
    // last handle may be released from another thread.
    private final @Nullable Map<String, SharedLease> reentrancyRegistry;

    SharedLease(LockEngine engine, String key, String name, String ownerToken, OptionalLong fencingToken,
            Duration leaseTime, LockMode mode, boolean autoRenew, long validUntilNanos, Duration minHold,
            @Nullable Map<String, SharedLease> reentrancyRegistry) {
        this.engine = engine;
        this.key = key;
        this.name = name;
        this.ownerToken = ownerToken;
        this.fencingToken = fencingToken;
        this.leaseTime = leaseTime;
        this.mode = mode;
        this.autoRenew = autoRenew;
        this.renewalIntervalNanos = engine.settings().renewalIntervalFor(leaseTime).toNanos();
        this.validUntilNanos = validUntilNanos;
        this.grantedNanos = validUntilNanos - engine.validNanos(leaseTime);
        this.holdsAfterRelease = !minHold.isZero();
        this.holdUntilNanos = this.grantedNanos + minHold.toNanos();
        this.reentrancyRegistry = reentrancyRegistry;
    }

    /**
     * Puts the first renewal and the validity check on the timer, at once when one of them is due within three
     * ticks, otherwise at the engine's next tick (a lease released before it never reaches the timer). Called once,
     * after the grant was registered.
     */
    void start() {
        long now = System.nanoTime();
        long firstDue = this.validUntilNanos - now;
        if (this.autoRenew) {
            firstDue = Math.min(firstDue, this.grantedNanos + this.renewalIntervalNanos - now);
        }
        if (firstDue < 3 * LockEngine.TICK_NANOS) {
            scheduleTasks();
        }
        else {
            this.engine.scheduleAtNextTick(this);
        }
    }

    /** Schedules the first renewal and the validity check of a lease that is still held. */
    synchronized void scheduleTasks() {
        if (this.state != State.HELD || this.expiryTask != null) {
            return;
        }
        long now = System.nanoTime();
        if (this.autoRenew) {
            this.renewalTask = this.engine.schedule(this::startRenewal,
                    this.grantedNanos + this.renewalIntervalNanos - now);
        }
        this.expiryTask = this.engine.schedule(this::onValidityEnd, this.validUntilNanos - now);
    }

    State state() {
        return this.state;
    }

    synchronized String lossReason() {
        return this.lossReason;
    }

    synchronized LeaseLoss.Cause lossCause() {
        // Set with the state LOST, before anyone is told of the loss.
        return (this.lossCause != null) ? this.lossCause : LeaseLoss.Cause.EXPIRED;
    }

    boolean isHeld() {
        if (this.state != State.HELD) {
            return false;
        }
        if (System.nanoTime() - this.validUntilNanos < 0) {
            return true;
        }
        // The timer has not run yet (a loaded machine): the answer is already known, so record it now.
        expireIfValidityPassed(false);
        return false;
    }

    /**
     * Describes this lease for an operator, or returns {@code null} once it is no longer held.
     */
    @Nullable HeldLease describe(long nowNanos, Instant now) {
        if (!isHeld()) {
            return null;
        }
        Instant heldSince = now.minusNanos(nowNanos - this.grantedNanos);
        return new HeldLease(this.name, this.key, this.engine.backendName(), this.fencingToken, heldSince,
                Duration.ofNanos(Math.max(0, this.validUntilNanos - nowNanos)), this.renewals, this.autoRenew);
    }

    Duration remainingValidity() {
        if (!isHeld()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, this.validUntilNanos - System.nanoTime()));
    }

    /**
     * Adds a handle for a reentrant acquire.
     * @param minHold the reentrant request's minimum hold, counted from now
     * @return {@code false} if the lease was released (or lingers after its release), so that the caller acquires
     *     afresh
     * @throws LeaseLostException if the lease was lost or its validity has passed: the caller must not wait for
     *     a key it still holds in the backend, nor skip its own nested call
     */
    boolean addHandle(Duration minHold) {
        isHeld();
        synchronized (this) {
            if (this.state == State.RELEASED || this.state == State.LINGERING) {
                return false;
            }
            if (this.state == State.LOST) {
                throw new LeaseLostException(this.key, "this thread's outer hold on the key lost its lease: "
                        + this.lossReason);
            }
            this.openHandles++;
            if (!minHold.isZero()) {
                long until = System.nanoTime() + minHold.toNanos();
                this.holdUntilNanos = this.holdsAfterRelease ? Math.max(this.holdUntilNanos, until) : until;
                this.holdsAfterRelease = true;
            }
            return true;
        }
    }

    void releaseHandle() {
        boolean sendRelease;
        synchronized (this) {
            if (this.state == State.RELEASED || this.state == State.LINGERING || --this.openHandles > 0) {
                return;
            }
            long untilHoldEnds = this.holdUntilNanos - System.nanoTime();
            if (this.state == State.HELD && this.holdsAfterRelease && untilHoldEnds > 0) {
                lingerUntilHoldEnds(untilHoldEnds);
                return;
            }
            this.state = State.RELEASED;
            cancelTasks();
            sendRelease = !this.releaseSent;
            this.releaseSent = true;
        }
        forget();
        if (sendRelease) {
            // Sent even after a loss: it is owner-checked, and it frees a key that only this process thought expired.
            this.engine.releaseQuietly(this.key, this.ownerToken, this.mode);
        }
    }

    // Called under this object's monitor, by the release of the last handle. No renewal is needed meanwhile: the
    // minimum hold is at most the lease time, so the backend keeps the key at least until the hold ends.
    private void lingerUntilHoldEnds(long delayNanos) {
        this.state = State.LINGERING;
        cancelTasks();
        // Off the thread's reentrancy registry at once: the thread's next acquire must ask the backend (and be
        // refused) rather than re-enter a lease its holder has already let go.
        if (this.reentrancyRegistry != null) {
            this.reentrancyRegistry.remove(this.key, this);
        }
        this.lingerEndTask = this.engine.schedule(this::endLinger, delayNanos);
    }

    /** On the timer thread once the minimum hold has passed: hands the release to the engine's renewal pool. */
    private void endLinger() {
        synchronized (this) {
            if (this.state != State.LINGERING) {
                return;
            }
            this.state = State.RELEASED;
            this.lingerEndTask = null;
            this.releaseSent = true;
        }
        forget();
        // The timer never calls the backend, so one slow release cannot delay another lease's renewal or loss.
        this.engine.releaseInBackground(this.key, this.ownerToken, this.mode);
    }

    /**
     * Ends the lease because its engine is closing: marks it lost (holders learn that their work is no longer
     * protected) and releases it in the backend once. A lease that lingers for its minimum hold is not released: it
     * expires in the backend as it would if the process died, so that closing the engine cannot let another
     * instance run the same period again.
     * @return {@code true} if the caller must send the release
     */
    boolean endBecauseEngineCloses() {
        boolean wasHeld;
        synchronized (this) {
            if (this.state == State.RELEASED || this.releaseSent) {
                return false;
            }
            if (this.state == State.LINGERING) {
                this.state = State.RELEASED;
                if (this.lingerEndTask != null) {
                    this.lingerEndTask.cancel(false);
                    this.lingerEndTask = null;
                }
                this.releaseSent = true;
                forget();
                return false;
            }
            wasHeld = this.state == State.HELD;
            if (wasHeld) {
                this.state = State.LOST;
                this.lossCause = LeaseLoss.Cause.ENGINE_CLOSED;
                this.lossReason = "the lock engine over backend '" + this.engine.backendName()
                        + "' was closed, and the lease was released";
            }
            cancelTasks();
            this.releaseSent = true;
        }
        forget();
        if (wasHeld) {
            tellListeners(this.lossReason);
        }
        return true;
    }

    /** On the timer thread: hands one renewal to the engine's renewal pool. */
    private void startRenewal() {
        synchronized (this) {
            if (this.state != State.HELD) {
                return;
            }
            this.renewalTask = null;
            this.renewalStartedNanos = System.nanoTime();
        }
        if (!this.engine.runRenewal(this::renewOnce)) {
            synchronized (this) {
                this.renewalStartedNanos = 0;
            }
        }
    }

    /** On a renewal thread: one backend call, then the next renewal is scheduled. */
    private void renewOnce() {
        long start = System.nanoTime();
        boolean renewed = false;
        RuntimeException failure = null;
        synchronized (this) {
            if (this.state != State.HELD) {
                this.renewalStartedNanos = 0;
                return;
            }
        }
        try {
            renewed = this.engine.renewIfOwner(this.key, this.ownerToken, this.mode, this.leaseTime);
        }
        catch (RuntimeException ex) {
            failure = ex;
        }
        String lostBecause = null;
        synchronized (this) {
            this.renewalStartedNanos = 0;
            if (this.state != State.HELD) {
                return;
            }
            if (failure != null) {
                // A transient failure is retried at the next interval; the timer marks the lease lost once its
                // validity passes without a successful renewal.
                this.lastRenewalFailure = failure;
            }
            else if (!renewed) {
                lostBecause = "the backend reports that this owner no longer holds the key";
                this.state = State.LOST;
                this.lossCause = LeaseLoss.Cause.RENEWAL_REFUSED;
                this.lossReason = lostBecause;
                cancelTasks();
            }
            else if (start - this.validUntilNanos < 0) {
                // Counted from the start of the call: the server may have applied it at any moment after that.
                this.validUntilNanos = start + this.engine.validNanos(this.leaseTime);
                this.lastRenewalFailure = null;
                this.renewals++;
            }
            if (lostBecause == null) {
                this.renewalTask = this.engine.schedule(this::startRenewal,
                        start + this.renewalIntervalNanos - System.nanoTime());
            }
        }
        if (failure != null) {
            logger.warn("Renewal of lock '{}' on backend '{}' failed; retrying until its validity passes",
                    this.key, this.engine.backendName(), failure);
        }
        if (lostBecause != null) {
            announceLoss(lostBecause);
        }
    }

    /** On the timer thread at the end of the validity: the lease is lost unless a renewal moved it on. */
    private void onValidityEnd() {
        expireIfValidityPassed(true);
    }

    /**
     * Marks the lease lost if its validity has passed.
     * @param reschedule whether to check again at the new end when a renewal moved the validity on (the timer's
     *     own check does; a holder that merely asks does not)
     */
    private void expireIfValidityPassed(boolean reschedule) {
        String reason;
        synchronized (this) {
            if (this.state != State.HELD) {
                return;
            }
            long now = System.nanoTime();
            if (now - this.validUntilNanos < 0) {
                if (reschedule) {
                    this.expiryTask = this.engine.schedule(this::onValidityEnd, this.validUntilNanos - now);
                }
                return;
            }
            reason = whyTheValidityPassed(now);
            this.state = State.LOST;
            this.lossCause = LeaseLoss.Cause.EXPIRED;
            this.lossReason = reason;
            cancelTasks();
        }
        announceLoss(reason);
    }

    // Called under this object's monitor.
    private String whyTheValidityPassed(long now) {
        if (!this.autoRenew) {
            return "its lease time passed and automatic renewal is off";
        }
        String reason = "its validity passed without a successful renewal";
        if (this.renewalStartedNanos != 0) {
            long waitingMillis = TimeUnit.NANOSECONDS.toMillis(now - this.renewalStartedNanos);
            reason += "; a renewal sent to backend '" + this.engine.backendName() + "' " + waitingMillis
                    + " ms ago has not returned yet";
        }
        else if (this.lastRenewalFailure != null) {
            reason += "; the last renewal on backend '" + this.engine.backendName() + "' failed: "
                    + this.lastRenewalFailure;
        }
        return reason;
    }

    private void announceLoss(String reason) {
        // One line with everything an operator needs to find the lock and the cause; nothing secret is in it.
        logger.warn("Lost the lease on lock '{}' (name '{}', backend '{}', cause {}): {}", this.key, this.name,
                this.engine.backendName(), lossCause().tagValue(), reason);
        tellListeners(reason);
    }

    private void tellListeners(String reason) {
        Lease view = new LeaseHandle(this);
        for (LeaseLossListener listener : this.listeners) {
            // Whoever removes a listener tells it: a listener added concurrently (see addLossListener) may be in
            // this snapshot too, and must still hear of the loss only once.
            if (this.listeners.remove(listener)) {
                notifyListener(listener, view, reason);
            }
        }
        this.engine.notifyLeaseLost(view, reason,
                new LeaseLoss(this.name, this.key, this.engine.backendName(), lossCause(), reason));
    }

    void addLossListener(LeaseLossListener listener, Lease view) {
        this.listeners.add(listener);
        // A listener that arrives after the loss would never hear of it otherwise.
        if (this.state == State.LOST && this.listeners.remove(listener)) {
            notifyListener(listener, view, lossReason());
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

    private void forget() {
        if (this.reentrancyRegistry != null) {
            this.reentrancyRegistry.remove(this.key, this);
        }
        this.engine.forget(this);
    }

    // Called under this object's monitor.
    private void cancelTasks() {
        if (this.renewalTask != null) {
            this.renewalTask.cancel(false);
            this.renewalTask = null;
        }
        if (this.expiryTask != null) {
            this.expiryTask.cancel(false);
            this.expiryTask = null;
        }
    }

}
