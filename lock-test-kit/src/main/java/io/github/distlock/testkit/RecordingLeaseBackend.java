package io.github.distlock.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;

/**
 * A decorator that counts and records every call to the backend it wraps, and that a test can tell to fail, stall or
 * refuse as an unreachable, slow or forgetful lock service would: for tests of what sits on a backend (the engine, an
 * interceptor, an application's handling of {@code LockUnavailableException}).
 *
 * <p>It offers exactly the capabilities it is created with, since the engine finds them with {@code instanceof}:
 * {@link #of(LeaseBackend)} those of the wrapped backend, {@link #withoutCapabilities(LeaseBackend)} none (its grants
 * carry no fencing token), {@link #inMemory()} fencing and release notification over a new
 * {@link InMemoryLeaseBackend}. Release subscriptions pass through unrecorded and unaffected by the switches.
 *
 * <p>What it records: the number of acquire, renew and release calls, the owner token of every acquire and release
 * call in order, the keys of granted acquires in order, and a list of events ({@code "acquire"} for a grant, then one
 * entry per release call, {@code "release"} unless {@link #describeReleasesWith} says otherwise). A call is recorded
 * before any failure is simulated, so a failed call counts.
 *
 * <p>Thread-safe: the switches may be flipped by the test thread while engine threads call the backend; every call
 * sees the switches as they are when it reaches them.
 *
 * @since 0.1.0
 */
public class RecordingLeaseBackend implements LeaseBackend {

    /** The root cause of every call while {@link #unreachable(boolean) unreachable}. */
    public static final String OUTAGE_MESSAGE = "connection refused (simulated outage)";

    private final LeaseBackend delegate;

    private final boolean fencingTokens;

    private final AtomicInteger acquireCalls = new AtomicInteger();

    private final AtomicInteger renewCalls = new AtomicInteger();

    private final AtomicInteger releaseCalls = new AtomicInteger();

    private final List<String> acquireOwners = new CopyOnWriteArrayList<>();

    private final List<String> releaseOwners = new CopyOnWriteArrayList<>();

    private final List<String> grantedKeys = new CopyOnWriteArrayList<>();

    private final CountDownLatch acquireApplied = new CountDownLatch(1);

    // Everything below is set by the test thread and read by the threads that call the backend.

    private volatile List<String> events = new CopyOnWriteArrayList<>();

    private volatile Supplier<String> releaseDescription = () -> "release";

    private volatile boolean unreachable;

    private volatile boolean failAcquires;

    private volatile boolean loseAcquireReplies;

    private volatile boolean failRenewals;

    private volatile boolean refuseRenewals;

    private volatile @Nullable CountDownLatch acquireRepliesStalledUntil;

    private volatile @Nullable CountDownLatch renewalsStalledUntil;

    private volatile @Nullable String stalledRenewalKey;

    private volatile Duration renewalLatency = Duration.ZERO;

    private volatile int maxKeyLength;

    private RecordingLeaseBackend(LeaseBackend delegate, boolean fencingTokens) {
        this.delegate = delegate;
        this.fencingTokens = fencingTokens;
        this.maxKeyLength = delegate.maxKeyLength();
    }

    /**
     * Wraps a new in-memory backend: real lease semantics, fencing tokens and release notification in this JVM.
     * @return the recording backend, a {@link FencingLeaseBackend} and a {@link ReleaseNotifyingBackend}
     */
    public static RecordingLeaseBackend inMemory() {
        return of(new InMemoryLeaseBackend());
    }

    /**
     * Wraps a backend, offering the capabilities it has.
     * @param delegate the backend that answers every call
     * @return the recording backend
     */
    public static RecordingLeaseBackend of(LeaseBackend delegate) {
        boolean fencing = delegate instanceof FencingLeaseBackend;
        if (delegate instanceof ReleaseNotifyingBackend notifying) {
            return fencing ? new FencingNotifying(notifying) : new Notifying(notifying);
        }
        return fencing ? new Fencing(delegate) : new RecordingLeaseBackend(delegate, false);
    }

    /**
     * Wraps a backend, offering no optional capability whatever the backend has: an engine over it polls with
     * backoff, and its grants carry no fencing token.
     * @param delegate the backend that answers every call
     * @return the recording backend
     */
    public static RecordingLeaseBackend withoutCapabilities(LeaseBackend delegate) {
        return new RecordingLeaseBackend(delegate, false);
    }

    /**
     * Returns the backend that answers the calls.
     * @return the wrapped backend
     */
    public LeaseBackend delegate() {
        return this.delegate;
    }

    /**
     * Sends the events to the given list from now on, for a test that interleaves them with its own (a transaction's,
     * for example).
     * @param events a thread-safe list
     * @return this backend
     */
    public RecordingLeaseBackend recordEventsIn(List<String> events) {
        this.events = events;
        return this;
    }

    /**
     * Describes each release call in the events with what the supplier returns at that moment, so that a test can
     * probe what others see while the lock is handed over.
     * @param description called once per release call, on the releasing thread
     * @return this backend
     */
    public RecordingLeaseBackend describeReleasesWith(Supplier<String> description) {
        this.releaseDescription = description;
        return this;
    }

    /**
     * Returns the events so far.
     * @return a snapshot of the events, in order
     */
    public List<String> events() {
        return List.copyOf(this.events);
    }

    /**
     * Returns the keys of the granted acquires so far.
     * @return a snapshot, in order of the grants
     */
    public List<String> grantedKeys() {
        return List.copyOf(this.grantedKeys);
    }

    /**
     * Returns the owner tokens of every acquire call so far, granted or not.
     * @return a snapshot, in order of the calls
     */
    public List<String> acquireOwners() {
        return List.copyOf(this.acquireOwners);
    }

    /**
     * Returns the owner tokens of every release call so far.
     * @return a snapshot, in order of the calls
     */
    public List<String> releaseOwners() {
        return List.copyOf(this.releaseOwners);
    }

    /**
     * Returns how many acquire calls were made.
     * @return the count
     */
    public int acquireCalls() {
        return this.acquireCalls.get();
    }

    /**
     * Returns how many renew calls were made.
     * @return the count
     */
    public int renewCalls() {
        return this.renewCalls.get();
    }

    /**
     * Returns how many release calls were made.
     * @return the count
     */
    public int releaseCalls() {
        return this.releaseCalls.get();
    }

    /**
     * Returns how many calls of any kind were made (subscriptions left out).
     * @return the count
     */
    public int calls() {
        return acquireCalls() + renewCalls() + releaseCalls();
    }

    /**
     * Makes every acquire, renew and release call fail with {@link #OUTAGE_MESSAGE}, as a service that cannot be
     * reached would, or answer again.
     * @param unreachable whether the service is down
     */
    public void unreachable(boolean unreachable) {
        this.unreachable = unreachable;
    }

    /**
     * Makes acquire calls fail before they reach the wrapped backend.
     * @param fail whether they fail
     */
    public void failAcquires(boolean fail) {
        this.failAcquires = fail;
    }

    /**
     * Makes acquire calls fail after the wrapped backend applied them, as a reply lost on the way back would: the
     * key may then be held by an owner that was told the call failed.
     * @param lose whether replies are lost
     */
    public void loseAcquireReplies(boolean lose) {
        this.loseAcquireReplies = lose;
    }

    /**
     * Holds the reply of every applied acquire until the latch opens; {@link #acquireApplied()} tells when the first
     * one waits.
     * @param until the latch to wait for, or {@code null} to stop stalling
     */
    public void stallAcquireRepliesUntil(@Nullable CountDownLatch until) {
        this.acquireRepliesStalledUntil = until;
    }

    /**
     * Returns a latch that opens when the first acquire was applied and waits for
     * {@link #stallAcquireRepliesUntil the stalled reply}.
     * @return the latch
     */
    public CountDownLatch acquireApplied() {
        return this.acquireApplied;
    }

    /**
     * Makes renew calls fail, as a service that cannot be asked would.
     * @param fail whether they fail
     */
    public void failRenewals(boolean fail) {
        this.failRenewals = fail;
    }

    /**
     * Makes renew calls answer {@code false}, as a service that no longer has the lease would.
     * @param refuse whether they are refused
     */
    public void refuseRenewals(boolean refuse) {
        this.refuseRenewals = refuse;
    }

    /**
     * Blocks renew calls until the latch opens, as calls stuck on a dead network path would.
     * @param until the latch to wait for, or {@code null} to stop stalling
     * @param key only renewals of this key block; {@code null} for every key
     */
    public void stallRenewalsUntil(@Nullable CountDownLatch until, @Nullable String key) {
        this.stalledRenewalKey = key;
        this.renewalsStalledUntil = until;
    }

    /**
     * Makes every renew call take this long before it answers, as a slow service would.
     * @param latency the added time; {@link Duration#ZERO} for none
     */
    public void renewalLatency(Duration latency) {
        this.renewalLatency = latency;
    }

    /**
     * Changes the longest key this backend claims to accept (the wrapped backend's by default).
     * @param maxKeyLength the length in characters
     */
    public void maxKeyLength(int maxKeyLength) {
        this.maxKeyLength = maxKeyLength;
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        this.acquireCalls.incrementAndGet();
        this.acquireOwners.add(ownerToken);
        failIfUnreachable();
        if (this.failAcquires) {
            throw new IllegalStateException("simulated backend failure on acquire");
        }
        AcquireResult result = this.delegate.tryAcquire(key, ownerToken, leaseTime);
        CountDownLatch stalledUntil = this.acquireRepliesStalledUntil;
        if (stalledUntil != null) {
            this.acquireApplied.countDown();
            awaitUninterruptibly(stalledUntil);
        }
        if (this.loseAcquireReplies) {
            throw new IllegalStateException("simulated loss of the reply to an applied acquire");
        }
        if (result.isGranted()) {
            this.grantedKeys.add(key);
            this.events.add("acquire");
            if (!this.fencingTokens) {
                return AcquireResult.granted();
            }
        }
        return result;
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        this.renewCalls.incrementAndGet();
        CountDownLatch stalledUntil = this.renewalsStalledUntil;
        String stalledKey = this.stalledRenewalKey;
        if (stalledUntil != null && (stalledKey == null || stalledKey.equals(key))) {
            awaitUninterruptibly(stalledUntil);
        }
        Duration latency = this.renewalLatency;
        if (!latency.isZero()) {
            try {
                Thread.sleep(latency.toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        failIfUnreachable();
        if (this.failRenewals) {
            throw new IllegalStateException("simulated backend failure on renew");
        }
        return !this.refuseRenewals && this.delegate.renewIfOwner(key, ownerToken, leaseTime);
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        this.releaseCalls.incrementAndGet();
        this.releaseOwners.add(ownerToken);
        failIfUnreachable();
        this.events.add(this.releaseDescription.get());
        return this.delegate.releaseIfOwner(key, ownerToken);
    }

    @Override
    public String name() {
        return "recording-" + this.delegate.name();
    }

    @Override
    public int maxKeyLength() {
        return this.maxKeyLength;
    }

    /** Closes the wrapped backend. */
    @Override
    public void close() {
        this.delegate.close();
    }

    private void failIfUnreachable() {
        if (this.unreachable) {
            throw new IllegalStateException(OUTAGE_MESSAGE);
        }
    }

    // An interrupt (the engine closing) ends the stall at once, as a closed connection would; the flag stays set.
    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Fencing extends RecordingLeaseBackend implements FencingLeaseBackend {

        Fencing(LeaseBackend delegate) {
            super(delegate, true);
        }

    }

    private static class Notifying extends RecordingLeaseBackend implements ReleaseNotifyingBackend {

        private final ReleaseNotifyingBackend notifying;

        Notifying(ReleaseNotifyingBackend delegate, boolean fencingTokens) {
            super(delegate, fencingTokens);
            this.notifying = delegate;
        }

        Notifying(ReleaseNotifyingBackend delegate) {
            this(delegate, false);
        }

        @Override
        public ReleaseSubscription subscribeToReleases(String key, Runnable onRelease) {
            return this.notifying.subscribeToReleases(key, onRelease);
        }

    }

    private static final class FencingNotifying extends Notifying implements FencingLeaseBackend {

        FencingNotifying(ReleaseNotifyingBackend delegate) {
            super(delegate, true);
        }

    }

}
