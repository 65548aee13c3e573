package io.github.distlock.core.inmemory;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.ReleaseCallbacks;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;

/**
 * A lease backend inside one JVM: for an application that runs as a single instance, and for tests.
 *
 * <p>Leases expire after their lease time on the monotonic clock. Fencing tokens come from one counter shared by
 * all keys, so they strictly increase per key across expiry without any per-key state surviving a release.
 * Expired entries are removed when the key is touched again and by a sweep every {@value #SWEEP_EVERY} acquire
 * attempts, so the map holds at most the live leases plus those that expired since the last sweep. Waiters are
 * notified on release; an expiry is not announced (waiters retry at the holder's remaining time).
 *
 * <p>Thread-safe; every operation is one atomic step on a {@link ConcurrentHashMap} entry.
 *
 * @since 0.1.0
 */
public final class InMemoryLeaseBackend implements FencingLeaseBackend, ReleaseNotifyingBackend {

    static final int SWEEP_EVERY = 1024;

    private final ConcurrentHashMap<String, Entry> leases = new ConcurrentHashMap<>();

    private final ReleaseCallbacks releaseCallbacks = new ReleaseCallbacks();

    private final AtomicLong lastToken = new AtomicLong();

    private final AtomicInteger attemptsSinceSweep = new AtomicInteger();

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        sweepExpiredOccasionally();
        long now = System.nanoTime();
        long expiresAt = now + leaseTime.toNanos();
        Entry entry = this.leases.compute(key, (k, current) -> {
            if (current == null || current.isExpiredAt(now)) {
                return new Entry(ownerToken, this.lastToken.incrementAndGet(), expiresAt);
            }
            return current;
        });
        if (entry.owner.equals(ownerToken)) {
            return AcquireResult.granted(entry.token);
        }
        return AcquireResult.heldByAnother(Duration.ofNanos(entry.expiresAtNanos - now));
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        long now = System.nanoTime();
        Entry renewed = this.leases.computeIfPresent(key, (k, current) -> {
            if (current.owner.equals(ownerToken) && !current.isExpiredAt(now)) {
                return new Entry(ownerToken, current.token, now + leaseTime.toNanos());
            }
            return current;
        });
        return renewed != null && renewed.owner.equals(ownerToken) && renewed.expiresAtNanos > now;
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        Entry current = this.leases.get(key);
        if (current == null || !current.owner.equals(ownerToken)) {
            return false;
        }
        // remove(key, value) only removes this exact entry, so a takeover that raced with us is never deleted.
        boolean removed = this.leases.remove(key, current);
        if (removed) {
            notifyReleased(key);
        }
        return removed && !current.isExpiredAt(System.nanoTime());
    }

    @Override
    public ReleaseSubscription subscribeToReleases(String key, Runnable onRelease) {
        return this.releaseCallbacks.add(key, onRelease);
    }

    @Override
    public String name() {
        return "in-memory";
    }

    /**
     * Returns the number of entries currently stored, live or expired but not yet swept. For tests and metrics.
     * @return the number of stored entries
     */
    public int storedEntryCount() {
        return this.leases.size();
    }

    /**
     * Removes every expired entry now.
     */
    public void sweepExpired() {
        long now = System.nanoTime();
        this.leases.values().removeIf(entry -> entry.isExpiredAt(now));
    }

    private void sweepExpiredOccasionally() {
        if (this.attemptsSinceSweep.incrementAndGet() >= SWEEP_EVERY) {
            this.attemptsSinceSweep.set(0);
            sweepExpired();
        }
    }

    private void notifyReleased(String key) {
        this.releaseCallbacks.notifyReleased(key);
    }

    private record Entry(String owner, long token, long expiresAtNanos) {

        boolean isExpiredAt(long nowNanos) {
            return nowNanos - this.expiresAtNanos >= 0;
        }

    }

}
