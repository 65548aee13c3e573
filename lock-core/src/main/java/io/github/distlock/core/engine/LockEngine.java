package io.github.distlock.core.engine;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLossListener;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock engine: the {@link LockClient} that puts policy on top of a {@link LeaseBackend}.
 *
 * <ul>
 * <li><b>Waiting.</b> When the backend can announce releases ({@link ReleaseNotifyingBackend}) a waiter sleeps
 * until a release, and retries no later than the holder's remaining lease time (or the backoff cap when that is
 * unknown) in case a notification was missed. Otherwise it sleeps a jittered exponential backoff, bounded by the
 * holder's remaining time and by the remaining wait. It never spins.</li>
 * <li><b>Validity.</b> A lease is valid until {@code start of the attempt + lease time - drift}, all measured with
 * {@link System#nanoTime()}; an attempt that took longer than that is released and not reported as granted.</li>
 * <li><b>Reentrancy.</b> A thread that holds a key through this engine and asks for it again (with a reentrant
 * request) gets another handle to the same lease without a backend call; the lease is released with its last
 * handle.</li>
 * <li><b>Renewal.</b> One shared scheduler (not a thread or timer per lock) renews auto-renewed leases every
 * {@code lease time * renewal ratio}; a renewal the backend refuses, or a validity that passes without a
 * successful renewal, marks the lease lost and tells its listeners.</li>
 * <li><b>Failing closed.</b> A backend that throws during an acquire gives {@link LockUnavailableException}; the
 * engine then sends a best-effort owner-checked release in case the attempt was applied and only its reply was
 * lost.</li>
 * </ul>
 *
 * <p>Owner tokens are 128 random bits chosen once per engine followed by a per-engine counter, so they are unique
 * within an engine by construction and across engines with overwhelming probability.
 *
 * <p>Thread-safe. Close it to stop its renewal scheduler; leases still held then expire on the server, and new
 * acquires are refused with {@link IllegalStateException}.
 */
public final class LockEngine implements LockClient, AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(LockEngine.class);

    private static final AtomicInteger engineCount = new AtomicInteger();

    private static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final LeaseBackend backend;

    private final @Nullable ReleaseNotifyingBackend releaseNotifier;

    private final boolean fencing;

    private final LockEngineSettings settings;

    private final ScheduledThreadPoolExecutor scheduler;

    private final String ownerPrefix;

    private final AtomicLong ownerCounter = new AtomicLong();

    private final ThreadLocal<@Nullable Map<String, SharedLease>> heldByThread = new ThreadLocal<>();

    private final ConcurrentHashMap<String, ReleaseWaiters> waitersByKey = new ConcurrentHashMap<>();

    private final List<LeaseLossListener> lossListeners = new CopyOnWriteArrayList<>();

    /**
     * Creates an engine with {@link LockEngineSettings#defaults() default settings}.
     * @param backend the lease backend
     */
    public LockEngine(LeaseBackend backend) {
        this(backend, LockEngineSettings.defaults());
    }

    /**
     * Creates an engine.
     * @param backend the lease backend
     * @param settings the engine settings
     */
    public LockEngine(LeaseBackend backend, LockEngineSettings settings) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.releaseNotifier = (backend instanceof ReleaseNotifyingBackend notifier) ? notifier : null;
        this.fencing = backend instanceof FencingLeaseBackend;
        int engineNumber = engineCount.incrementAndGet();
        AtomicInteger threadCount = new AtomicInteger();
        this.scheduler = new ScheduledThreadPoolExecutor(settings.renewalThreads(), runnable -> {
            Thread thread = new Thread(runnable,
                    "distlock-renewal-" + engineNumber + "-" + threadCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // Released leases cancel their task; without this the cancelled tasks would stay queued until due.
        this.scheduler.setRemoveOnCancelPolicy(true);
        byte[] prefix = new byte[16];
        new SecureRandom().nextBytes(prefix);
        this.ownerPrefix = HexFormat.of().formatHex(prefix) + "-";
    }

    /**
     * Registers a listener told whenever any lease of this engine is lost.
     * @param listener the listener
     */
    public void addLossListener(LeaseLossListener listener) {
        this.lossListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Returns the settings this engine runs with.
     * @return the settings
     */
    public LockEngineSettings settings() {
        return this.settings;
    }

    @Override
    public Optional<Lease> tryAcquire(LockRequest request) {
        validate(request);
        Lease reentered = reenter(request);
        if (reentered != null) {
            return Optional.of(reentered);
        }
        Attempt attempt = attemptOnce(request);
        return Optional.ofNullable(attempt.lease);
    }

    @Override
    public Lease acquire(LockRequest request) throws InterruptedException {
        validate(request);
        if (Thread.interrupted()) {
            throw new InterruptedException("Interrupted before acquiring lock '" + request.key() + "'");
        }
        Lease reentered = reenter(request);
        if (reentered != null) {
            return reentered;
        }
        long deadline = System.nanoTime() + request.waitTime().toNanos();
        ReleaseWaiters waiters = request.waitTime().isZero() ? null : startWaiting(request.key());
        try {
            for (int attemptNumber = 0;; attemptNumber++) {
                long seenVersion = (waiters != null) ? waiters.version() : 0;
                Attempt attempt = attemptOnce(request);
                if (attempt.lease != null) {
                    return attempt.lease;
                }
                long remainingWait = deadline - System.nanoTime();
                if (remainingWait <= 0) {
                    throw new LockNotAcquiredException(request.key(), request.waitTime());
                }
                long pause = pauseNanos(attemptNumber, remainingWait, attempt.holderRemainingNanos,
                        waiters != null && waiters.subscription != null);
                if (waiters != null && waiters.subscription != null) {
                    waiters.awaitRelease(seenVersion, pause);
                }
                else {
                    ReleaseWaiters.sleep(pause);
                }
            }
        }
        finally {
            if (waiters != null) {
                stopWaiting(request.key());
            }
        }
    }

    @Override
    public <T> T callWithLock(LockRequest request, Callable<T> action) throws Exception {
        try (Lease lease = acquire(request)) {
            T result = action.call();
            lease.checkHeld();
            return result;
        }
    }

    @Override
    public boolean supportsFencingTokens() {
        return this.fencing;
    }

    @Override
    public String backendName() {
        return this.backend.name();
    }

    /**
     * Stops the renewal scheduler. Leases still held are no longer renewed and expire on the server; later
     * acquires throw {@link IllegalStateException} without asking the backend.
     */
    @Override
    public void close() {
        this.scheduler.shutdownNow();
    }

    LeaseBackend backend() {
        return this.backend;
    }

    long validNanos(Duration leaseTime) {
        return leaseTime.toNanos() - this.settings.clockDriftFor(leaseTime).toNanos();
    }

    void notifyLeaseLost(Lease lease, String reason) {
        for (LeaseLossListener listener : this.lossListeners) {
            SharedLease.notifyListener(listener, lease, reason);
        }
    }

    void releaseQuietly(String key, String ownerToken) {
        try {
            this.backend.releaseIfOwner(key, ownerToken);
        }
        catch (RuntimeException ex) {
            logger.warn("Release of lock '{}' on backend '{}' failed; the lease will expire on the server", key,
                    this.backend.name(), ex);
        }
    }

    private void validate(LockRequest request) {
        Objects.requireNonNull(request, "request");
        if (this.scheduler.isShutdown()) {
            // Checked before the backend call: a grant could not get its watchdog and would stay orphaned.
            throw new IllegalStateException("LockEngine over backend '" + this.backend.name()
                    + "' is closed; cannot acquire lock '" + request.key() + "'");
        }
        int maxKeyLength = this.backend.maxKeyLength();
        if (request.key().length() > maxKeyLength) {
            throw new IllegalArgumentException("Lock key is " + request.key().length()
                    + " characters long; backend '" + this.backend.name() + "' accepts at most " + maxKeyLength);
        }
        if (validNanos(request.leaseTime()) <= 0) {
            throw new IllegalArgumentException("leaseTime " + request.leaseTime() + " of lock '" + request.key()
                    + "' is not longer than the clock drift allowance " + this.settings.clockDriftFor(request.leaseTime()));
        }
        if (request.waitTime().compareTo(this.settings.maxWaitTime()) > 0) {
            throw new IllegalArgumentException("waitTime " + request.waitTime() + " of lock '" + request.key()
                    + "' is longer than the allowed maximum " + this.settings.maxWaitTime());
        }
    }

    private @Nullable Lease reenter(LockRequest request) {
        if (!request.reentrant()) {
            return null;
        }
        Map<String, SharedLease> held = this.heldByThread.get();
        SharedLease lease = (held != null) ? held.get(request.key()) : null;
        if (lease == null) {
            return null;
        }
        if (lease.addHandle()) {
            return new LeaseHandle(lease);
        }
        if (lease.state() == SharedLease.State.LOST) {
            throw new io.github.distlock.core.LeaseLostException(request.key(),
                    "this thread's outer hold on the key lost its lease: " + lease.lossReason());
        }
        held.remove(request.key(), lease);
        return null;
    }

    private Attempt attemptOnce(LockRequest request) {
        String key = request.key();
        String ownerToken = this.ownerPrefix + Long.toHexString(this.ownerCounter.incrementAndGet());
        long start = System.nanoTime();
        AcquireResult result;
        try {
            result = this.backend.tryAcquire(key, ownerToken, request.leaseTime());
        }
        catch (RuntimeException ex) {
            // The attempt may have been applied with only its reply lost: free the key if it is ours.
            releaseInBackground(key, ownerToken);
            throw new LockUnavailableException(key, this.backend.name(), "acquire", ex);
        }
        if (!result.isGranted()) {
            return new Attempt(null, result.holderRemaining().map(Duration::toNanos).orElse(-1L));
        }
        long validUntil = start + validNanos(request.leaseTime());
        if (System.nanoTime() - validUntil >= 0) {
            logger.warn("Acquiring lock '{}' took longer than its validity; releasing it and treating it as held", key);
            releaseQuietly(key, ownerToken);
            return new Attempt(null, -1L);
        }
        Map<String, SharedLease> registry = null;
        if (request.reentrant()) {
            registry = this.heldByThread.get();
            if (registry == null) {
                registry = new ConcurrentHashMap<>();
                this.heldByThread.set(registry);
            }
        }
        SharedLease lease = new SharedLease(this, key, ownerToken, result.fencingToken(), request.leaseTime(),
                validUntil, registry);
        if (registry != null) {
            registry.put(key, lease);
        }
        lease.startWatchdog(scheduleWatchdog(lease, request));
        return new Attempt(new LeaseHandle(lease), 0);
    }

    private ScheduledFuture<?> scheduleWatchdog(SharedLease lease, LockRequest request) {
        if (request.autoRenew()) {
            long interval = Math.max(MIN_PAUSE_NANOS, (long) (request.leaseTime().toNanos() * this.settings.renewalRatio()));
            return this.scheduler.scheduleWithFixedDelay(lease::renewUnlessLost, interval, interval, TimeUnit.NANOSECONDS);
        }
        return this.scheduler.schedule(lease::expireUnlessReleased, validNanos(request.leaseTime()) + MIN_PAUSE_NANOS,
                TimeUnit.NANOSECONDS);
    }

    private void releaseInBackground(String key, String ownerToken) {
        try {
            this.scheduler.execute(() -> releaseQuietly(key, ownerToken));
        }
        catch (RuntimeException ex) {
            logger.debug("Could not schedule the clean-up release of lock '{}'", key, ex);
        }
    }

    private long pauseNanos(int attemptNumber, long remainingWait, long holderRemaining, boolean notified) {
        long pause;
        if (notified) {
            // Sleep until a release is announced; wake at the holder's expiry in case the notice is missed.
            pause = (holderRemaining >= 0) ? holderRemaining + MIN_PAUSE_NANOS : this.settings.maxBackoff().toNanos();
        }
        else {
            long ceiling = Math.min(this.settings.maxBackoff().toNanos(),
                    this.settings.initialBackoff().toNanos() << Math.min(attemptNumber, 20));
            pause = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
            if (holderRemaining >= 0) {
                pause = Math.min(pause, holderRemaining + MIN_PAUSE_NANOS);
            }
        }
        return Math.min(Math.max(pause, MIN_PAUSE_NANOS), remainingWait);
    }

    private ReleaseWaiters startWaiting(String key) {
        return this.waitersByKey.compute(key, (k, waiters) -> {
            if (waiters == null) {
                waiters = new ReleaseWaiters();
                if (this.releaseNotifier != null) {
                    waiters.subscription = subscribe(k, waiters);
                }
            }
            waiters.waiting++;
            return waiters;
        });
    }

    private @Nullable ReleaseSubscription subscribe(String key, ReleaseWaiters waiters) {
        try {
            return this.releaseNotifier.subscribeToReleases(key, waiters::signalReleased);
        }
        catch (RuntimeException ex) {
            logger.debug("Release notification for lock '{}' unavailable; falling back to backoff", key, ex);
            return null;
        }
    }

    private void stopWaiting(String key) {
        this.waitersByKey.computeIfPresent(key, (k, waiters) -> {
            if (--waiters.waiting > 0) {
                return waiters;
            }
            if (waiters.subscription != null) {
                waiters.subscription.close();
            }
            return null;
        });
    }

    private record Attempt(@Nullable Lease lease, long holderRemainingNanos) {
    }

}
