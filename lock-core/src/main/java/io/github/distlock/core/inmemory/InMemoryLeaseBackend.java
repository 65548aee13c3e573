package io.github.distlock.core.inmemory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.QueueingLeaseBackend;
import io.github.distlock.core.spi.ReleaseCallbacks;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;
import io.github.distlock.core.spi.SharedLeaseBackend;

import org.jspecify.annotations.Nullable;

/**
 * A lease backend inside one JVM: for an application that runs as a single instance, and for tests.
 *
 * <p>Leases expire after their lease time on the monotonic clock. Fencing tokens come from one counter shared by
 * all keys, so they strictly increase per key across expiry without any per-key state surviving a release.
 * Expired entries are removed when the key is touched again and by a sweep every {@value #SWEEP_EVERY} acquire
 * attempts, so the map holds at most the live leases, the keys with waiters, and those that expired since the last
 * sweep.
 *
 * <p>Waiters queue per key, first come first served ({@link QueueingLeaseBackend}): a release hands the key to the
 * oldest waiter whose wait has not ended, with a new fencing token and a claim time of {@link #HAND_OFF_CLAIM_TIME},
 * and calls only that waiter's callback. Release callbacks ({@link ReleaseNotifyingBackend}) are called on every
 * release that frees the key; an expiry is not announced (waiters retry at the holder's remaining time).
 *
 * <p>Shared leases ({@link SharedLeaseBackend}) are kept per key beside the exclusive one, with tokens from the same
 * counter; a reader is refused while a writer holds the key or waits in its queue, and the last reader's release
 * hands the key to the oldest waiting writer.
 *
 * <p>Thread-safe; every operation is one atomic step on a {@link ConcurrentHashMap} entry.
 *
 * @since 0.1.0
 */
public final class InMemoryLeaseBackend implements FencingLeaseBackend, ReleaseNotifyingBackend, QueueingLeaseBackend,
        SharedLeaseBackend {

    /** How long a key handed to a waiter stays reserved for it before the waiter claims it with an attempt. */
    public static final Duration HAND_OFF_CLAIM_TIME = Duration.ofSeconds(2);

    static final int SWEEP_EVERY = 1024;

    private final ConcurrentHashMap<String, KeyState> leases = new ConcurrentHashMap<>();

    private final ReleaseCallbacks releaseCallbacks = new ReleaseCallbacks();

    private final ReleaseCallbacks handOffCallbacks = new ReleaseCallbacks();

    private final AtomicLong lastToken = new AtomicLong();

    private final AtomicInteger attemptsSinceSweep = new AtomicInteger();

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        return acquire(key, ownerToken, leaseTime, -1);
    }

    @Override
    public AcquireResult tryAcquireOrQueue(String key, String ownerToken, Duration leaseTime, Duration remainingWait) {
        return acquire(key, ownerToken, leaseTime, Math.max(0, remainingWait.toNanos()));
    }

    private AcquireResult acquire(String key, String ownerToken, Duration leaseTime, long queueForNanos) {
        sweepExpiredOccasionally();
        long now = System.nanoTime();
        AcquireResult[] result = new AcquireResult[1];
        this.leases.compute(key, (k, state) -> {
            if (state == null) {
                state = new KeyState();
            }
            boolean writerHolds = state.isHeldAt(now);
            if (writerHolds && state.owner.equals(ownerToken)) {
                // A key handed to this owner (or a retried attempt): extend the claim to the lease asked for.
                state.expiresAtNanos = now + leaseTime.toNanos();
                result[0] = AcquireResult.granted(state.token);
            }
            else if (!writerHolds && !state.hasReadersAt(now)) {
                state.grant(ownerToken, this.lastToken.incrementAndGet(), now + leaseTime.toNanos());
                state.waiters.remove(ownerToken);
                result[0] = AcquireResult.granted(state.token);
            }
            else {
                if (queueForNanos >= 0) {
                    state.waiters.putIfAbsent(ownerToken, now + queueForNanos);
                }
                long holderEnd = writerHolds ? state.expiresAtNanos : state.lastReaderEndNanos();
                result[0] = AcquireResult.heldByAnother(Duration.ofNanos(holderEnd - now));
            }
            return state;
        });
        return result[0];
    }

    @Override
    public AcquireResult tryAcquireShared(String key, String ownerToken, Duration leaseTime) {
        sweepExpiredOccasionally();
        long now = System.nanoTime();
        AcquireResult[] result = new AcquireResult[1];
        this.leases.compute(key, (k, state) -> {
            if (state == null) {
                state = new KeyState();
            }
            if (state.isHeldAt(now)) {
                result[0] = AcquireResult.heldByAnother(Duration.ofNanos(state.expiresAtNanos - now));
            }
            else if (state.hasWaitingWriterAt(now)) {
                // The writer's intent: a reader arriving after a waiting writer waits behind it.
                result[0] = AcquireResult.heldByAnother();
            }
            else {
                long token = this.lastToken.incrementAndGet();
                state.readers.put(ownerToken, now + leaseTime.toNanos());
                result[0] = AcquireResult.granted(token);
            }
            return state.isWorthKeepingAt(now) ? state : null;
        });
        return result[0];
    }

    @Override
    public boolean renewSharedIfOwner(String key, String ownerToken, Duration leaseTime) {
        long now = System.nanoTime();
        boolean[] renewed = new boolean[1];
        this.leases.computeIfPresent(key, (k, state) -> {
            if (state.hasReadersAt(now) && state.readers.containsKey(ownerToken)) {
                state.readers.put(ownerToken, now + leaseTime.toNanos());
                renewed[0] = true;
            }
            return state.isWorthKeepingAt(now) ? state : null;
        });
        return renewed[0];
    }

    @Override
    public boolean releaseSharedIfOwner(String key, String ownerToken) {
        long now = System.nanoTime();
        boolean[] released = new boolean[1];
        boolean[] freed = new boolean[1];
        String[] handedTo = new String[1];
        this.leases.computeIfPresent(key, (k, state) -> {
            state.hasReadersAt(now);
            released[0] = state.readers.remove(ownerToken) != null;
            if (released[0] && state.readers.isEmpty() && !state.isHeldAt(now)) {
                // The last reader out hands the key to the writer that waits longest, as a writer's release does.
                handedTo[0] = state.handOff(now, this.lastToken);
                freed[0] = true;
            }
            return state.isWorthKeepingAt(now) ? state : null;
        });
        announce(key, handedTo[0], freed[0]);
        return released[0];
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        long now = System.nanoTime();
        boolean[] renewed = new boolean[1];
        this.leases.computeIfPresent(key, (k, state) -> {
            if (state.isHeldAt(now) && state.owner.equals(ownerToken)) {
                state.expiresAtNanos = now + leaseTime.toNanos();
                renewed[0] = true;
            }
            return state.isWorthKeepingAt(now) ? state : null;
        });
        return renewed[0];
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        long now = System.nanoTime();
        boolean[] released = new boolean[1];
        String[] handedTo = new String[1];
        this.leases.computeIfPresent(key, (k, state) -> {
            if (state.owner == null || !state.owner.equals(ownerToken)) {
                return state.isWorthKeepingAt(now) ? state : null;
            }
            released[0] = state.isHeldAt(now);
            handedTo[0] = state.handOff(now, this.lastToken);
            return state.isWorthKeepingAt(now) ? state : null;
        });
        announce(key, handedTo[0], released[0]);
        return released[0];
    }

    /** Tells the waiter the key was handed to, or else, when the key became free, everyone waiting for a release. */
    private void announce(String key, @Nullable String handedTo, boolean freed) {
        if (handedTo != null) {
            this.handOffCallbacks.notifyReleased(handOffKey(key, handedTo));
        }
        else if (freed) {
            this.releaseCallbacks.notifyReleased(key);
        }
    }

    @Override
    public void leaveQueue(String key, String ownerToken) {
        long now = System.nanoTime();
        this.leases.computeIfPresent(key, (k, state) -> {
            state.waiters.remove(ownerToken);
            return state.isWorthKeepingAt(now) ? state : null;
        });
        // A key handed to this owner meanwhile goes on to the next waiter.
        releaseIfOwner(key, ownerToken);
    }

    @Override
    public ReleaseSubscription subscribeToHandOff(String key, String ownerToken, Runnable onHandOff) {
        return this.handOffCallbacks.add(handOffKey(key, ownerToken), onHandOff);
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
     * Returns the number of entries currently stored: keys held, keys with waiters, and keys expired but not yet
     * swept. For tests and metrics.
     * @return the number of stored entries
     */
    public int storedEntryCount() {
        return this.leases.size();
    }

    /**
     * Removes every expired entry (and every ended wait) now.
     */
    public void sweepExpired() {
        long now = System.nanoTime();
        for (String key : this.leases.keySet()) {
            this.leases.computeIfPresent(key, (k, state) -> state.isWorthKeepingAt(now) ? state : null);
        }
    }

    private void sweepExpiredOccasionally() {
        if (this.attemptsSinceSweep.incrementAndGet() >= SWEEP_EVERY) {
            this.attemptsSinceSweep.set(0);
            sweepExpired();
        }
    }

    private static String handOffKey(String key, String ownerToken) {
        return key + '\u0000' + ownerToken;
    }

    /** The lease and the queue of one key; mutated only inside {@code compute} for its key, which serializes it. */
    private static final class KeyState {

        @Nullable String owner;

        long token;

        long expiresAtNanos;

        // Owner token -> end of its wait (System.nanoTime), in arrival order.
        final LinkedHashMap<String, Long> waiters = new LinkedHashMap<>();

        // Owner token of a shared lease -> its end (System.nanoTime).
        final HashMap<String, Long> readers = new HashMap<>();

        boolean hasReadersAt(long nowNanos) {
            this.readers.values().removeIf(end -> nowNanos - end >= 0);
            return !this.readers.isEmpty();
        }

        long lastReaderEndNanos() {
            long last = Long.MIN_VALUE;
            for (long end : this.readers.values()) {
                last = (last == Long.MIN_VALUE || end - last > 0) ? end : last;
            }
            return last;
        }

        boolean hasWaitingWriterAt(long nowNanos) {
            this.waiters.values().removeIf(waitEnd -> nowNanos - waitEnd >= 0);
            return !this.waiters.isEmpty();
        }

        boolean isHeldAt(long nowNanos) {
            return this.owner != null && nowNanos - this.expiresAtNanos < 0;
        }

        void grant(String newOwner, long newToken, long expiresAt) {
            this.owner = newOwner;
            this.token = newToken;
            this.expiresAtNanos = expiresAt;
        }

        /** Frees the key or hands it to the oldest waiter still waiting; returns that waiter's owner token. */
        @Nullable String handOff(long nowNanos, AtomicLong lastToken) {
            Iterator<Map.Entry<String, Long>> queue = this.waiters.entrySet().iterator();
            while (queue.hasNext()) {
                Map.Entry<String, Long> next = queue.next();
                queue.remove();
                if (nowNanos - next.getValue() < 0) {
                    grant(next.getKey(), lastToken.incrementAndGet(), nowNanos + HAND_OFF_CLAIM_TIME.toNanos());
                    return next.getKey();
                }
            }
            this.owner = null;
            return null;
        }

        boolean isWorthKeepingAt(long nowNanos) {
            return hasWaitingWriterAt(nowNanos) || hasReadersAt(nowNanos) || isHeldAt(nowNanos);
        }

    }

}
