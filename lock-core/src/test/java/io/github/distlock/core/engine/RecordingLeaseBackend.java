package io.github.distlock.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;

/**
 * A real {@link InMemoryLeaseBackend} behind a decorator that counts and records every call and can be told to
 * fail. It implements only {@link LeaseBackend}, so an engine over it cannot see release notification or fencing;
 * {@link #notifying()} returns one that passes release notification through.
 */
class RecordingLeaseBackend implements LeaseBackend {

    final InMemoryLeaseBackend delegate = new InMemoryLeaseBackend();

    final AtomicInteger acquireCalls = new AtomicInteger();

    final AtomicInteger renewCalls = new AtomicInteger();

    final AtomicInteger releaseCalls = new AtomicInteger();

    final List<String> acquireOwners = new CopyOnWriteArrayList<>();

    final List<String> releaseOwners = new CopyOnWriteArrayList<>();

    /** The names of the threads that made the acquire calls. */
    final List<String> acquireThreads = new CopyOnWriteArrayList<>();

    // The switches below are set by the test thread and read by engine threads.
    volatile boolean failAcquire;

    /** When set, only acquires of this key fail. */
    volatile @Nullable String failAcquireOfKey;

    volatile boolean loseAcquireReply;

    volatile boolean refuseRenewal;

    volatile boolean failRenewal;

    /** While not null, renewals block on it, as a backend call stuck on a slow network would. */
    volatile @Nullable CountDownLatch stallRenewalUntil;

    /** When set, only renewals of this key block on {@link #stallRenewalUntil}. */
    volatile @Nullable String stalledKey;

    /** How long each renewal takes before it answers, as a slow backend would. */
    volatile Duration renewalLatency = Duration.ZERO;

    /** While not null, an acquire that was applied waits on it before it answers, as a slow reply would. */
    volatile @Nullable CountDownLatch stallAcquireReplyUntil;

    /** Counted down when an acquire has been applied and waits on {@link #stallAcquireReplyUntil}. */
    final CountDownLatch acquireApplied = new CountDownLatch(1);

    volatile int maxKeyLength = 1024;

    static RecordingLeaseBackend notifying() {
        return new Notifying();
    }

    int calls() {
        return this.acquireCalls.get() + this.renewCalls.get() + this.releaseCalls.get();
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        this.acquireCalls.incrementAndGet();
        this.acquireOwners.add(ownerToken);
        this.acquireThreads.add(Thread.currentThread().getName());
        if (this.failAcquire || key.equals(this.failAcquireOfKey)) {
            throw new IllegalStateException("simulated backend failure on acquire");
        }
        AcquireResult result = this.delegate.tryAcquire(key, ownerToken, leaseTime);
        CountDownLatch stallReply = this.stallAcquireReplyUntil;
        if (stallReply != null) {
            this.acquireApplied.countDown();
            try {
                stallReply.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        if (this.loseAcquireReply) {
            throw new IllegalStateException("simulated loss of the reply to an applied acquire");
        }
        return result;
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        this.renewCalls.incrementAndGet();
        CountDownLatch stall = this.stallRenewalUntil;
        String stalled = this.stalledKey;
        try {
            if (stall != null && (stalled == null || stalled.equals(key))) {
                stall.await();
            }
            if (!this.renewalLatency.isZero()) {
                Thread.sleep(this.renewalLatency.toMillis());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (this.failRenewal) {
            throw new IllegalStateException("simulated backend failure on renew");
        }
        return !this.refuseRenewal && this.delegate.renewIfOwner(key, ownerToken, leaseTime);
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        this.releaseCalls.incrementAndGet();
        this.releaseOwners.add(ownerToken);
        return this.delegate.releaseIfOwner(key, ownerToken);
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public int maxKeyLength() {
        return this.maxKeyLength;
    }

    private static final class Notifying extends RecordingLeaseBackend implements ReleaseNotifyingBackend {

        @Override
        public ReleaseSubscription subscribeToReleases(String key, Runnable onRelease) {
            return this.delegate.subscribeToReleases(key, onRelease);
        }

    }

}
