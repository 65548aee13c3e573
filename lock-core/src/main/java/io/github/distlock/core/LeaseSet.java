package io.github.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link MultiKeyLease} of {@link LockClient#acquireAll}, {@link LockClient#tryAcquireAll} and
 * {@link LockClient#acquireAllAsync}, and the one rule they share for taking several keys.
 *
 * <p><b>Why sorted.</b> Two callers that take overlapping key sets in different orders can each hold a key the
 * other waits for; neither gets its next key until one wait ends. When every caller takes its keys in the same
 * total order, the caller holding the highest key of a cycle would have to wait for a lower one, which it took
 * first: no cycle, no deadlock. The order is {@link String#compareTo}, the same in every process.
 *
 * <p><b>All or nothing.</b> The keys are taken one by one within one deadline (the longest wait time of the
 * requests, counted once for the whole set); when one is not granted in time, or the backend fails, every lease
 * already taken is released, in reverse order, before the failure reaches the caller.
 *
 * <p>Thread-safe.
 */
final class LeaseSet implements MultiKeyLease {

    private final List<Lease> leases;

    LeaseSet(List<Lease> leases) {
        this.leases = List.copyOf(leases);
    }

    /**
     * Checks the requests and puts them in lock order, one per key.
     * @throws IllegalArgumentException if there are none, or one key is asked for in two modes or on two terms
     */
    static List<LockRequest> inLockOrder(Collection<LockRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("acquireAll needs at least one lock request; an empty set would run the "
                    + "work without any lock");
        }
        TreeMap<String, LockRequest> byKey = new TreeMap<>();
        for (LockRequest request : requests) {
            Objects.requireNonNull(request, "lock request must not be null");
            LockRequest earlier = byKey.putIfAbsent(request.key(), request);
            if (earlier != null && !earlier.equals(request)) {
                throw new IllegalArgumentException("Lock '" + request.key() + "' is asked for twice on different terms ("
                        + earlier + " and " + request + "); ask for each key once");
            }
        }
        return List.copyOf(byKey.values());
    }

    /** The one deadline of a set: its longest wait time. */
    static Duration waitTimeOf(List<LockRequest> ordered) {
        return ordered.stream().map(LockRequest::waitTime).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
    }

    static MultiKeyLease acquireAll(LockClient client, Collection<LockRequest> requests) throws InterruptedException {
        List<LockRequest> ordered = inLockOrder(requests);
        Duration waitTime = waitTimeOf(ordered);
        long deadline = System.nanoTime() + waitTime.toNanos();
        List<Lease> taken = new ArrayList<>(ordered.size());
        try {
            for (LockRequest request : ordered) {
                long remaining = Math.max(0, deadline - System.nanoTime());
                try {
                    taken.add(client.acquire(request.withWaitTime(Duration.ofNanos(remaining))));
                }
                catch (LockNotAcquiredException ex) {
                    // The wait the caller asked for, not what was left of it for this key.
                    throw new LockNotAcquiredException(request.key(), waitTime);
                }
            }
            return new LeaseSet(taken);
        }
        catch (InterruptedException | RuntimeException | Error ex) {
            releaseInReverse(taken);
            throw ex;
        }
    }

    static Optional<MultiKeyLease> tryAcquireAll(LockClient client, Collection<LockRequest> requests) {
        List<LockRequest> ordered = inLockOrder(requests);
        List<Lease> taken = new ArrayList<>(ordered.size());
        try {
            for (LockRequest request : ordered) {
                Optional<Lease> lease = client.tryAcquire(request);
                if (lease.isEmpty()) {
                    releaseInReverse(taken);
                    return Optional.empty();
                }
                taken.add(lease.get());
            }
            return Optional.of(new LeaseSet(taken));
        }
        catch (RuntimeException | Error ex) {
            releaseInReverse(taken);
            throw ex;
        }
    }

    /**
     * Takes the keys one after another with {@link LockClient#acquireAsync}, each asked once the one before it is
     * granted. Cancelling (or otherwise completing) the result cancels the acquire in flight and releases the leases
     * taken so far.
     */
    static CompletableFuture<MultiKeyLease> acquireAllAsync(LockClient client, Collection<LockRequest> requests) {
        List<LockRequest> ordered = inLockOrder(requests);
        Duration waitTime = waitTimeOf(ordered);
        long deadline = System.nanoTime() + waitTime.toNanos();
        CompletableFuture<MultiKeyLease> result = new CompletableFuture<>();
        List<Lease> taken = Collections.synchronizedList(new ArrayList<>(ordered.size()));
        AtomicReference<CompletableFuture<Lease>> inFlight = new AtomicReference<>();
        result.whenComplete((set, failure) -> {
            if (failure != null) {
                CompletableFuture<Lease> pending = inFlight.get();
                if (pending != null) {
                    pending.cancel(false);
                }
                releaseInReverse(taken);
            }
        });
        takeNext(client, ordered, 0, deadline, waitTime, taken, inFlight, result);
        return result;
    }

    private static void takeNext(LockClient client, List<LockRequest> ordered, int index, long deadline,
            Duration waitTime, List<Lease> taken, AtomicReference<CompletableFuture<Lease>> inFlight,
            CompletableFuture<MultiKeyLease> result) {
        if (index == ordered.size()) {
            if (!result.complete(new LeaseSet(taken))) {
                releaseInReverse(taken);
            }
            return;
        }
        LockRequest request = ordered.get(index);
        CompletableFuture<Lease> next;
        try {
            long remaining = Math.max(0, deadline - System.nanoTime());
            next = client.acquireAsync(request.withWaitTime(Duration.ofNanos(remaining)));
        }
        catch (RuntimeException ex) {
            result.completeExceptionally(ex);
            return;
        }
        inFlight.set(next);
        if (result.isDone()) {
            // Completed by the caller meanwhile: the whenComplete above may have missed this acquire.
            next.cancel(false);
        }
        next.whenComplete((lease, failure) -> {
            if (failure != null) {
                Throwable cause = (failure instanceof CompletionException && failure.getCause() != null)
                        ? failure.getCause() : failure;
                result.completeExceptionally((cause instanceof LockNotAcquiredException)
                        ? new LockNotAcquiredException(request.key(), waitTime) : cause);
                return;
            }
            taken.add(lease);
            if (result.isDone()) {
                releaseInReverse(taken);
                return;
            }
            takeNext(client, ordered, index + 1, deadline, waitTime, taken, inFlight, result);
        });
    }

    private static void releaseInReverse(List<Lease> taken) {
        synchronized (taken) {
            for (int i = taken.size() - 1; i >= 0; i--) {
                taken.get(i).release();
            }
        }
    }

    @Override
    public List<Lease> leases() {
        return this.leases;
    }

    @Override
    public Map<String, Long> fencingTokens() {
        Map<String, Long> tokens = new LinkedHashMap<>();
        for (Lease lease : this.leases) {
            lease.fencingToken().ifPresent(token -> tokens.put(lease.key(), token));
        }
        return Collections.unmodifiableMap(tokens);
    }

    @Override
    public String key() {
        return this.leases.stream().map(Lease::key).toList().toString();
    }

    @Override
    public String ownerToken() {
        return this.leases.get(0).ownerToken();
    }

    @Override
    public Duration remainingValidity() {
        Duration shortest = null;
        for (Lease lease : this.leases) {
            Duration validity = lease.remainingValidity();
            if (shortest == null || validity.compareTo(shortest) < 0) {
                shortest = validity;
            }
        }
        return shortest;
    }

    @Override
    public boolean isHeld() {
        for (Lease lease : this.leases) {
            if (!lease.isHeld()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void checkHeld() {
        for (Lease lease : this.leases) {
            lease.checkHeld();
        }
    }

    @Override
    public void addLossListener(LeaseLossListener listener) {
        Objects.requireNonNull(listener, "listener");
        AtomicBoolean told = new AtomicBoolean();
        for (Lease lease : this.leases) {
            lease.addLossListener((lost, reason) -> {
                if (told.compareAndSet(false, true)) {
                    listener.onLeaseLost(this, "lock '" + lost.key() + "': " + reason);
                }
            });
        }
    }

    /**
     * Releases every lease, the last taken first; each release is the lease's own (idempotent, failures logged).
     */
    @Override
    public void release() {
        for (int i = this.leases.size() - 1; i >= 0; i--) {
            this.leases.get(i).release();
        }
    }

    @Override
    public String toString() {
        return "MultiKeyLease" + this.leases;
    }

}
