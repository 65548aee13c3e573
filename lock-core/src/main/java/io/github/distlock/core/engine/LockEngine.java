package io.github.distlock.core.engine;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLossListener;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.MultiKeyLease;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.MultiKeyLeaseBackend;
import io.github.distlock.core.spi.QueueingLeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;
import io.github.distlock.core.spi.SharedLeaseBackend;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock engine: the {@link LockClient} that puts policy on top of a {@link LeaseBackend}.
 *
 * <ul>
 * <li><b>Waiting in line.</b> When the backend keeps a queue per key ({@link QueueingLeaseBackend}) a waiter keeps
 * one owner token for its whole wait, takes its place in the queue with its first attempt and sleeps until the key
 * is handed to it (or until the holder's remaining lease time, in case the announcement was lost); when it gives
 * up it leaves the queue, in the background, handing on a key that reached it meanwhile.</li>
 * <li><b>Waiting.</b> Otherwise, when the backend can announce releases ({@link ReleaseNotifyingBackend}) a waiter sleeps
 * until a release, and retries no later than the holder's remaining lease time (or the backoff cap when that is
 * unknown) in case a notification was missed. Otherwise it sleeps a jittered exponential backoff, bounded by the
 * holder's remaining time and by the remaining wait. It never spins.</li>
 * <li><b>Without a thread.</b> {@link #acquireAsync} waits by the same rules with no thread parked: a pause is a
 * timer task and a release callback, and the backend calls run on the engine's acquire threads.</li>
 * <li><b>Validity.</b> A lease is valid until {@code start of the attempt + lease time - drift}, all measured with
 * {@link System#nanoTime()}; an attempt that took longer than that is released and not reported as granted.</li>
 * <li><b>Reentrancy.</b> A thread that holds a key through this engine and asks for it again (with a reentrant
 * request) gets another handle to the same lease without a backend call; the lease is released with its last
 * handle. By mode: a READ inside a READ and a READ inside a WRITE re-enter the lease the thread holds (a writer
 * already excludes everyone else); a WRITE inside a READ is refused with {@link IllegalStateException}, since an
 * upgrade would wait for the other readers, who may be waiting to upgrade as well.</li>
 * <li><b>Readers and writers.</b> A {@link LockMode#READ} request needs a {@link SharedLeaseBackend} (otherwise it is
 * refused with {@link IllegalArgumentException} before any backend call). Readers never queue; a writer that waits
 * queues (or, on a backend without a queue, records its intent with one owner token for its whole wait, and ends it
 * when it gives up), and that is what keeps readers that come after it out, so a stream of overlapping readers cannot
 * starve it. Leases of both modes are renewed, checked and lost by the same rules.</li>
 * <li><b>Several keys.</b> {@link #acquireAll} and its variants check every request first, then take the keys one by
 * one in sorted order (see {@link LockClient#acquireAll}); each key's lease is an ordinary lease of this engine. On
 * a {@link MultiKeyLeaseBackend} that can take the keys together, the first attempt on an exclusive set is one
 * atomic call for all of them; a refusal falls back to the one-by-one path.</li>
 * <li><b>Renewal.</b> Auto-renewed leases are renewed every {@code lease time * renewal ratio}: one timer thread
 * per engine (not a thread or timer per lock) decides when, and a small pool of renewal threads (at most
 * {@link LockEngineSettings#renewalThreads()}, started on demand) makes the backend calls, so a renewal stuck in a
 * slow call delays no other lease's renewal. A renewal the backend refuses marks the lease lost at once.</li>
 * <li><b>Short holds cost the timer nothing.</b> Most critical sections end long before their first renewal is
 * due, so a new lease is not put on the timer at once: a tick, {@link #TICK} after the first lease that waits for it,
 * schedules the renewal and the validity end of the leases granted since that are still held. A lease released
 * before the tick never costs a timer insertion or cancellation. A lease whose first renewal or validity end is due
 * within {@link #TICK} three times over is scheduled at once.</li>
 * <li><b>Loss, on time.</b> The timer marks a lease lost at the end of its validity unless a renewal moved it on,
 * whatever its renewal is doing, so listeners, {@link Lease#isHeld()} and {@link Lease#checkHeld()} report the loss
 * no later than the validity end, which comes before the server can grant the key to anyone else (by the drift
 * allowance). Listeners run on the timer thread and must not block.</li>
 * <li><b>Minimum hold.</b> A lease whose request has a {@link LockRequest#minHold() minimum hold} and whose last
 * handle is released before it has passed (counted from the start of the granting attempt) stays held in the
 * backend until then: the release returns at once, the lease is no longer renewed, reentered or listed, and the
 * timer hands its owner-checked release to the renewal pool when the hold ends. No thread waits per held key. If
 * the process dies meanwhile, the backend expires the key after its lease time, which is never shorter.</li>
 * <li><b>Failing closed.</b> A backend that throws during an acquire gives {@link LockUnavailableException}; the
 * engine then sends a best-effort owner-checked release in case the attempt was applied and only its reply was
 * lost.</li>
 * </ul>
 *
 * <p>Owner tokens are 128 random bits chosen once per engine followed by a per-engine counter, so they are unique
 * within an engine by construction and across engines with overwhelming probability.
 *
 * <p>Thread-safe. Closing it ends every lease it still holds (their holders are told that the lease was lost, and
 * each is released in the backend once), stops its threads, and refuses later acquires with
 * {@link IllegalStateException}; an acquire that is granted while the engine closes is released and refused too.
 *
 * @since 0.1.0
 */
public final class LockEngine implements LockClient, AutoCloseable {

    /** The longest {@link #close()} waits for the releases of the leases it ends. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger logger = LoggerFactory.getLogger(LockEngine.class);

    private static final AtomicInteger engineCount = new AtomicInteger();

    /** How long a new lease may wait before its renewal and validity end are put on the timer. */
    public static final Duration TICK = Duration.ofMillis(10);

    static final long TICK_NANOS = TICK.toNanos();

    private static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final LeaseBackend backend;

    private final @Nullable ReleaseNotifyingBackend releaseNotifier;

    private final @Nullable QueueingLeaseBackend queue;

    private final @Nullable MultiKeyLeaseBackend multiKey;

    private final boolean fencing;

    // Non-null when the backend grants shared (READ) leases.
    private final @Nullable SharedLeaseBackend shared;

    private final LockEngineSettings settings;

    // Decides when leases are renewed and when their validity ends; runs only short tasks that never call the
    // backend.
    private final ScheduledThreadPoolExecutor timer;

    // Makes the renewal calls (and the clean-up releases after failed acquires), at most renewalThreads at once.
    private final ThreadPoolExecutor renewals;

    // Makes the backend calls of asynchronous acquires, so that their callers never block; at most renewalThreads.
    private final ThreadPoolExecutor acquires;

    // The asynchronous acquires in progress, so that close() can end them.
    private final Set<AsyncAcquire> asyncAcquires = ConcurrentHashMap.newKeySet();

    // Every lease this engine granted that is not released yet, so that close() can end them.
    private final Set<SharedLease> live = ConcurrentHashMap.newKeySet();

    // Leases granted since the last tick, still to be put on the timer (or skipped, when released meanwhile).
    private final ConcurrentLinkedQueue<SharedLease> awaitingTick = new ConcurrentLinkedQueue<>();

    private final AtomicBoolean tickScheduled = new AtomicBoolean();

    private final AtomicLong timerTasksScheduled = new AtomicLong();

    private volatile boolean closed;

    // When the backend's outage began (System.nanoTime()), or 0 while it answers; set by the first acquire that
    // fails and cleared by the first that gets an answer, so an outage is logged once and its end once.
    private final AtomicLong outageSince = new AtomicLong();

    private final String ownerPrefix;

    private final AtomicLong ownerCounter = new AtomicLong();

    private final LongAdder backendCalls = new LongAdder();

    private final ThreadLocal<@Nullable Map<String, SharedLease>> heldByThread = new ThreadLocal<>();

    private final ConcurrentHashMap<String, ReleaseWaiters> waitersByKey = new ConcurrentHashMap<>();

    // The waits in a backend queue now in progress, each with its own signal, so that close() can end them.
    private final Set<ReleaseWaiters> queuedWaits = ConcurrentHashMap.newKeySet();

    private final List<LeaseLossListener> lossListeners = new CopyOnWriteArrayList<>();

    private final List<Consumer<LeaseLoss>> lossObservers = new CopyOnWriteArrayList<>();

    // How many callers wait for each key now: counted from their first refused attempt until they return, so a
    // wait that is granted at once never touches it.
    private final ConcurrentHashMap<String, Integer> waitingByKey = new ConcurrentHashMap<>();

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
        this.queue = (backend instanceof QueueingLeaseBackend queueing) ? queueing : null;
        this.fencing = backend instanceof FencingLeaseBackend;
        this.shared = (backend instanceof SharedLeaseBackend sharing) ? sharing : null;
        this.multiKey = (backend instanceof MultiKeyLeaseBackend together) ? together : null;
        int engineNumber = engineCount.incrementAndGet();
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("distlock-timer-" + engineNumber));
        // Released leases cancel their tasks; without this the cancelled tasks would stay queued until due.
        this.timer.setRemoveOnCancelPolicy(true);
        this.renewals = new ThreadPoolExecutor(settings.renewalThreads(), settings.renewalThreads(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads("distlock-renewal-" + engineNumber));
        this.renewals.allowCoreThreadTimeOut(true);
        this.acquires = new ThreadPoolExecutor(settings.renewalThreads(), settings.renewalThreads(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads("distlock-acquire-" + engineNumber));
        this.acquires.allowCoreThreadTimeOut(true);
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
     * Registers an observer told of every lease of this engine that is lost, with the request's name and the
     * cause as one of a few values (for metrics). Observers run where loss listeners run and must not block.
     * @param observer the observer
     */
    public void addLeaseLossObserver(Consumer<LeaseLoss> observer) {
        this.lossObservers.add(Objects.requireNonNull(observer, "observer"));
    }

    /**
     * Lists the leases this engine holds now, oldest first. A snapshot: each entry was held when it was read.
     * @return the held leases
     */
    public List<HeldLease> heldLeases() {
        long nowNanos = System.nanoTime();
        Instant now = Instant.now();
        List<HeldLease> held = new ArrayList<>();
        for (SharedLease lease : this.live) {
            HeldLease described = lease.describe(nowNanos, now);
            if (described != null) {
                held.add(described);
            }
        }
        held.sort(Comparator.comparing(HeldLease::heldSince));
        return held;
    }

    /**
     * Returns how many leases this engine holds now.
     * @return the number of held leases
     */
    public int heldLeaseCount() {
        int count = 0;
        for (SharedLease lease : this.live) {
            if (lease.isHeld()) {
                count++;
            }
        }
        return count;
    }

    /**
     * Returns, for each key that callers of this engine wait for now, how many wait: a caller counts from its
     * first refused attempt until its acquire returns or throws. A snapshot.
     * @return waiters per key
     */
    public Map<String, Integer> waitersByKey() {
        return Map.copyOf(this.waitingByKey);
    }

    /**
     * Returns how many calls this engine has made to its backend since it was created: acquire attempts (one per
     * attempt, a set's single attempt included), renewals, releases and ends of waits; the backend's own
     * subscriptions and announcements are not counted. What a lock costs the lock service, for operators and for
     * comparing designs: each call is one request to the service (one script, statement or transaction).
     * @return the number of backend calls so far
     * @since 0.1.0
     */
    public long backendCalls() {
        return this.backendCalls.sum();
    }

    /**
     * Returns how many callers of this engine wait for a key now.
     * @return the number of waiting callers
     */
    public int waiterCount() {
        int count = 0;
        for (int waiting : this.waitingByKey.values()) {
            count += waiting;
        }
        return count;
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
        Attempt attempt = attemptOnce(request, newOwnerToken(), null);
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
        KeyWait wait = new KeyWait(request);
        boolean granted = false;
        try {
            for (;;) {
                long seenVersion = wait.seenVersion();
                Attempt attempt = wait.attempt();
                if (attempt.lease != null) {
                    granted = true;
                    return attempt.lease;
                }
                long pause = wait.pauseAfter(attempt);
                wait.signal().awaitRelease(seenVersion, pause);
            }
        }
        finally {
            wait.end(granted);
        }
    }

    /**
     * Acquires the lock without parking a thread: waits as {@link #acquire} does (the same queue, release
     * notification and backoff), but between attempts the wait is a timer task and a release callback, and every
     * backend call runs on this engine's acquire threads (at most {@link LockEngineSettings#renewalThreads()}, started
     * on demand), never on the calling thread, so that a non-blocking thread (a Reactor scheduler's, an event loop)
     * can ask.
     *
     * <p>Guarantees: the future completes with the lease, with {@link LockNotAcquiredException} when the wait time
     * passed, with {@link LockUnavailableException} when the backend failed (no lease held), or with
     * {@link IllegalStateException} when the engine closes. Cancelling it (or completing it in any other way) before
     * the grant ends the wait and leaves no lease: an attempt in flight that is granted afterwards is released at once,
     * and a place in the backend's queue is given up. The lease is never thread-reentrant (whatever the request says):
     * it belongs to asynchronous work, released from whichever thread ends it, so no later call on any thread
     * re-enters it. The future's dependent stages run on an acquire thread (or the caller's, if already complete);
     * they should not block.
     * @param request what to lock
     * @return the future lease
     * @throws IllegalArgumentException if the request is invalid for this engine (thrown, not in the future)
     * @throws IllegalStateException if the engine is closed
     */
    @Override
    public CompletableFuture<Lease> acquireAsync(LockRequest request) {
        validate(request);
        AsyncAcquire acquire = new AsyncAcquire(new KeyWait(request.withReentrant(false)));
        this.asyncAcquires.add(acquire);
        acquire.result.whenComplete((lease, failure) -> acquire.onResultCompleted());
        acquire.submit();
        return acquire.result;
    }

    /**
     * One caller's wait for one key, the engine's only waiting policy, shared by {@link #acquire} (which parks its
     * thread between attempts) and {@link #acquireAsync} (which schedules its next attempt): which attempt to make,
     * how long to pause after a refusal, which signal ends a pause early, and what to undo when the wait ends.
     *
     * <p>With a {@link QueueingLeaseBackend} a wait keeps one owner token, so that its place in the queue survives
     * between attempts, and a signal of its own, which only a hand-off to this owner (or a backend that may have
     * missed announcements) sets. Otherwise the waiters of a key share one release subscription. Not thread-safe:
     * one wait makes one attempt at a time.
     */
    private final class KeyWait {

        private final LockRequest request;

        private final long deadline;

        // Whether the backend keeps this wait (a writer's place in the queue, or its intent on a backend with shared
        // leases but no queue), with the owner token of the whole wait.
        private final boolean keptByBackend;

        private final @Nullable String queueOwnerToken;

        // What ends a pause early; null for a request that makes one attempt.
        private final @Nullable ReleaseWaiters signal;

        private final @Nullable ReleaseSubscription handOffSubscription;

        private final boolean notified;

        private int refusals;

        private boolean counted;

        KeyWait(LockRequest request) {
            this.request = request;
            this.deadline = System.nanoTime() + request.waitTime().toNanos();
            boolean waits = !request.waitTime().isZero();
            // Only writers queue: a queued writer is the backend's writer intent, which keeps new readers out.
            QueueingLeaseBackend queue = (request.mode() == LockMode.WRITE) ? LockEngine.this.queue : null;
            if (waits && queue != null) {
                this.keptByBackend = true;
                this.queueOwnerToken = newOwnerToken();
                this.signal = new ReleaseWaiters();
                queuedWaits.add(this.signal);
                ReleaseSubscription subscription = null;
                try {
                    subscription = queue.subscribeToHandOff(request.key(), this.queueOwnerToken,
                            this.signal::signalReleased);
                }
                catch (RuntimeException ex) {
                    logger.debug("Hand-off announcements for lock '{}' unavailable; waiting for the holder's lease "
                            + "instead", request.key(), ex);
                }
                this.handOffSubscription = subscription;
                this.notified = subscription != null;
            }
            else {
                // A writer on a backend with shared leases but no queue records its intent, which keeps new readers
                // out; it waits for release announcements like any waiter.
                this.keptByBackend = waits && request.mode() == LockMode.WRITE && LockEngine.this.shared != null;
                this.queueOwnerToken = this.keptByBackend ? newOwnerToken() : null;
                this.handOffSubscription = null;
                this.signal = waits ? startWaiting(request.key()) : null;
                this.notified = this.signal != null && this.signal.subscription != null;
            }
        }

        /** The signal's version, read before an attempt so that a release during the attempt is not missed. */
        long seenVersion() {
            return (this.signal != null) ? this.signal.version() : 0;
        }

        /** Present once a pause was returned: only a request with a wait time pauses. */
        ReleaseWaiters signal() {
            return Objects.requireNonNull(this.signal, "a request without a wait time never pauses");
        }

        Attempt attempt() {
            requireOpen(this.request);
            if (this.keptByBackend) {
                long remainingWait = this.deadline - System.nanoTime();
                return attemptOnce(this.request, Objects.requireNonNull(this.queueOwnerToken),
                        Duration.ofNanos(Math.max(remainingWait, 0)));
            }
            return attemptOnce(this.request, newOwnerToken(), null);
        }

        /**
         * Returns how long to pause after a refused attempt.
         * @throws LockNotAcquiredException when the wait time has passed
         */
        long pauseAfter(Attempt refused) {
            long remainingWait = this.deadline - System.nanoTime();
            if (remainingWait <= 0) {
                throw new LockNotAcquiredException(this.request.key(), this.request.waitTime());
            }
            if (!this.counted) {
                this.counted = true;
                countWaiter(this.request.key(), 1);
            }
            return pauseNanos(this.refusals++, remainingWait, refused.holderRemainingNanos, this.notified);
        }

        /** Ends the wait once: uncounts it, drops its subscription and, without a grant, leaves the queue. */
        void end(boolean granted) {
            if (this.counted) {
                countWaiter(this.request.key(), -1);
            }
            if (this.keptByBackend && LockEngine.this.queue != null) {
                queuedWaits.remove(this.signal);
                if (this.handOffSubscription != null) {
                    this.handOffSubscription.close();
                }
            }
            else if (this.signal != null) {
                stopWaiting(this.request.key());
            }
            if (this.keptByBackend && !granted) {
                endWaitInBackground(this.request.key(), Objects.requireNonNull(this.queueOwnerToken));
            }
        }

    }

    /**
     * One {@link #acquireAsync} call: each attempt is a task on the acquire threads, and each pause a round that
     * the first of the timer, the key's signal or the end of the future fires. At most one attempt or one armed
     * round exists at a time, so the wait is driven by one task after another and never by two at once.
     */
    private final class AsyncAcquire implements Runnable {

        final CompletableFuture<Lease> result = new CompletableFuture<>();

        private final KeyWait wait;

        private final AtomicBoolean ended = new AtomicBoolean();

        // The armed pause, or null while an attempt runs; written under this object's monitor by the attempt that
        // arms it and read by whoever completes the future, so that a cancel always wakes the wait.
        private @Nullable Round round;

        AsyncAcquire(KeyWait wait) {
            this.wait = wait;
        }

        void submit() {
            try {
                acquires.execute(this);
            }
            catch (RejectedExecutionException ex) {
                end(false);
                this.result.completeExceptionally(new IllegalStateException("LockEngine over backend '"
                        + backend.name() + "' is closed; cannot acquire lock '" + this.wait.request.key() + "'"));
            }
        }

        /** One attempt, on an acquire thread. */
        @Override
        public void run() {
            if (this.result.isDone()) {
                end(false);
                return;
            }
            long seenVersion = this.wait.seenVersion();
            long pause;
            try {
                Attempt attempt = this.wait.attempt();
                if (attempt.lease != null) {
                    end(true);
                    // Cancelled while the attempt was in flight: the grant is nobody's, so it is released at once.
                    if (!this.result.complete(attempt.lease)) {
                        attempt.lease.release();
                    }
                    return;
                }
                pause = this.wait.pauseAfter(attempt);
            }
            catch (RuntimeException ex) {
                end(false);
                this.result.completeExceptionally(ex);
                return;
            }
            Round next = new Round();
            boolean armed = false;
            synchronized (this) {
                if (!this.result.isDone()) {
                    this.round = next;
                    armed = true;
                }
            }
            if (!armed) {
                end(false);
                return;
            }
            next.arm(seenVersion, pause);
        }

        /** The future completed: a cancel (or a completion by anyone else) wakes an armed pause to end the wait. */
        void onResultCompleted() {
            Round armed;
            synchronized (this) {
                armed = this.round;
            }
            if (armed != null) {
                armed.fire();
            }
        }

        void end(boolean granted) {
            if (this.ended.compareAndSet(false, true)) {
                asyncAcquires.remove(this);
                this.wait.end(granted);
            }
        }

        /** One pause: fired once, by the timer, the signal or the future's end, whichever comes first. */
        private final class Round implements Runnable {

            private final AtomicBoolean fired = new AtomicBoolean();

            private volatile @Nullable ScheduledFuture<?> timeout;

            void arm(long seenVersion, long pauseNanos) {
                ScheduledFuture<?> scheduled = schedule(this::fire, pauseNanos);
                this.timeout = scheduled;
                if (scheduled == null) {
                    // The engine is closing: the next attempt says so.
                    fire();
                    return;
                }
                AsyncAcquire.this.wait.signal().onReleaseAfter(seenVersion, this);
                if (this.fired.get()) {
                    // Fired (by a cancel) while being armed: nothing may stay registered for it.
                    scheduled.cancel(false);
                    AsyncAcquire.this.wait.signal().removeCallback(this);
                }
            }

            /** The signal's callback. */
            @Override
            public void run() {
                fire();
            }

            void fire() {
                if (!this.fired.compareAndSet(false, true)) {
                    return;
                }
                ScheduledFuture<?> scheduled = this.timeout;
                if (scheduled != null) {
                    scheduled.cancel(false);
                }
                AsyncAcquire.this.wait.signal().removeCallback(this);
                synchronized (AsyncAcquire.this) {
                    AsyncAcquire.this.round = null;
                }
                submit();
            }

        }

    }

    /**
     * Acquires several keys together, by the rules of {@link LockClient#acquireAll}, after checking every request
     * (so an invalid one fails before any key is taken).
     * @param requests what to lock, at least one
     * @return the leases of all the keys
     * @throws InterruptedException if the thread was interrupted while waiting; no lease is held
     */
    @Override
    public MultiKeyLease acquireAll(Collection<LockRequest> requests) throws InterruptedException {
        validateAll(requests);
        MultiKeyLease together = attemptTogether(requests);
        return (together != null) ? together : LockClient.super.acquireAll(requests);
    }

    /**
     * Makes one attempt per key, by the rules of {@link LockClient#tryAcquireAll}, after checking every request.
     * @param requests what to lock, at least one
     * @return the leases of all the keys, or empty if one of them is held by another owner
     */
    @Override
    public Optional<MultiKeyLease> tryAcquireAll(Collection<LockRequest> requests) {
        validateAll(requests);
        if (this.multiKey != null && canGoTogether(MultiKeyLease.lockOrder(requests))) {
            return Optional.ofNullable(attemptTogether(requests));
        }
        return LockClient.super.tryAcquireAll(requests);
    }

    /**
     * Acquires several keys together without parking a thread, by the rules of {@link LockClient#acquireAllAsync},
     * after checking every request.
     * @param requests what to lock, at least one
     * @return the future leases
     */
    @Override
    public CompletableFuture<MultiKeyLease> acquireAllAsync(Collection<LockRequest> requests) {
        validateAll(requests);
        return LockClient.super.acquireAllAsync(requests);
    }

    /**
     * With a {@link MultiKeyLeaseBackend}, makes one atomic attempt on every key of the set when the backend can
     * take them together: the set's first attempt in one round trip. Only for sets the one-by-one path would treat
     * the same way: exclusive, the same lease time, and no key already held by this thread (which would be
     * re-entered, not taken).
     * @return the set, or {@code null} if it was refused or cannot be taken together (then nothing is held)
     */
    private @Nullable MultiKeyLease attemptTogether(Collection<LockRequest> requests) {
        MultiKeyLeaseBackend together = this.multiKey;
        if (together == null) {
            return null;
        }
        List<LockRequest> ordered = MultiKeyLease.lockOrder(requests);
        if (!canGoTogether(ordered)) {
            return null;
        }
        List<String> keys = ordered.stream().map(LockRequest::key).toList();
        List<String> owners = new ArrayList<>(ordered.size());
        for (int i = 0; i < ordered.size(); i++) {
            owners.add(newOwnerToken());
        }
        Duration leaseTime = ordered.get(0).leaseTime();
        long start = System.nanoTime();
        List<AcquireResult> results;
        try {
            this.backendCalls.increment();
            results = together.tryAcquireAll(keys, owners, leaseTime);
        }
        catch (RuntimeException ex) {
            // Applied with only the reply lost, perhaps: free every key that is ours.
            for (int i = 0; i < keys.size(); i++) {
                releaseInBackground(keys.get(i), owners.get(i), LockMode.WRITE);
            }
            outageBegins(ex);
            throw new LockUnavailableException(keys.toString(), this.backend.name(), "acquire", ex);
        }
        if (this.outageSince.get() != 0) {
            outageEnds();
        }
        if (results.size() != keys.size() || !results.stream().allMatch(AcquireResult::isGranted)) {
            return null;
        }
        long validUntil = start + validNanos(leaseTime);
        if (System.nanoTime() - validUntil >= 0) {
            logger.warn("Acquiring locks {} took longer than their validity; releasing them and treating them as held",
                    keys);
            for (int i = 0; i < keys.size(); i++) {
                releaseQuietly(keys.get(i), owners.get(i), LockMode.WRITE);
            }
            return null;
        }
        List<Lease> leases = new ArrayList<>(keys.size());
        try {
            for (int i = 0; i < keys.size(); i++) {
                leases.add(register(ordered.get(i), owners.get(i), results.get(i).fencingToken(), validUntil));
            }
        }
        catch (RuntimeException ex) {
            // The engine closed meanwhile: register released the key it refused; the rest go too.
            leases.forEach(Lease::release);
            for (int i = leases.size() + 1; i < keys.size(); i++) {
                releaseQuietly(keys.get(i), owners.get(i), LockMode.WRITE);
            }
            throw ex;
        }
        return MultiKeyLease.of(leases);
    }

    private boolean canGoTogether(List<LockRequest> ordered) {
        Duration leaseTime = ordered.get(0).leaseTime();
        Map<String, SharedLease> held = this.heldByThread.get();
        for (LockRequest request : ordered) {
            if (request.mode() != LockMode.WRITE || !request.leaseTime().equals(leaseTime)
                    || (request.reentrant() && held != null && held.containsKey(request.key()))) {
                return false;
            }
        }
        return ordered.size() > 1 && Objects.requireNonNull(this.multiKey)
            .acquiresTogether(ordered.stream().map(LockRequest::key).toList());
    }

    private void validateAll(Collection<LockRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        for (LockRequest request : requests) {
            validate(request);
        }
    }

    @Override
    public boolean supportsFencingTokens() {
        return this.fencing;
    }

    @Override
    public boolean supportsSharedLeases() {
        return this.shared != null;
    }

    @Override
    public String backendName() {
        return this.backend.name();
    }

    /**
     * Ends every lease this engine still holds: each is marked lost (its listeners are told) and released in the
     * backend once (except a lease released by its holders that still waits for its minimum hold: it is left to
     * expire in the backend, as if the process had died, so that closing cannot shorten the hold), in parallel on the renewal threads, waiting at most {@link #CLOSE_TIMEOUT} for the releases
     * (each bounded by the backend's own time limit). Then the engine's threads stop. Later acquires throw {@link IllegalStateException} without asking the backend,
     * and waiting acquires end with it.
     */
    @Override
    public void close() {
        this.closed = true;
        List<Future<?>> releases = new ArrayList<>();
        for (SharedLease lease : this.live) {
            if (lease.endBecauseEngineCloses()) {
                try {
                    releases.add(this.renewals.submit(() -> releaseQuietly(lease.key, lease.ownerToken, lease.mode)));
                }
                catch (RejectedExecutionException ex) {
                    // A concurrent close() already stopped the pool; that call sends the releases it collected.
                }
            }
        }
        this.waitersByKey.values().forEach(ReleaseWaiters::signalReleased);
        this.queuedWaits.forEach(ReleaseWaiters::signalReleased);
        for (AsyncAcquire acquire : this.asyncAcquires) {
            acquire.result.completeExceptionally(new IllegalStateException("LockEngine over backend '"
                    + this.backend.name() + "' was closed while acquiring lock '" + acquire.wait.request.key() + "'"));
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        try {
            for (Future<?> release : releases) {
                release.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
        catch (TimeoutException ex) {
            logger.warn("Releases of the leases of LockEngine over backend '{}' did not finish within {}; the rest "
                    + "expire on the server", this.backend.name(), CLOSE_TIMEOUT);
        }
        catch (ExecutionException ex) {
            // releaseQuietly logs its own failures.
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        // Renewals still in flight belong to leases that have just ended; nothing waits for them.
        this.renewals.shutdownNow();
        this.acquires.shutdownNow();
        this.timer.shutdownNow();
        // An attempt the pool dropped never ran: its wait is ended here instead.
        this.asyncAcquires.forEach(acquire -> acquire.end(false));
    }

    /** Renews an exclusive or a shared lease, each through its own backend call. */
    boolean renewIfOwner(String key, String ownerToken, LockMode mode, Duration leaseTime) {
        this.backendCalls.increment();
        if (mode == LockMode.READ) {
            return Objects.requireNonNull(this.shared, "validated: READ needs a SharedLeaseBackend")
                .renewSharedIfOwner(key, ownerToken, leaseTime);
        }
        return this.backend.renewIfOwner(key, ownerToken, leaseTime);
    }

    LeaseBackend backend() {
        return this.backend;
    }

    long validNanos(Duration leaseTime) {
        return leaseTime.toNanos() - this.settings.clockDriftFor(leaseTime).toNanos();
    }

    /**
     * Runs a task on the timer after a delay.
     * @return the task, or {@code null} when the engine is closing (its leases are being ended anyway)
     */
    @Nullable ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        this.timerTasksScheduled.incrementAndGet();
        try {
            return this.timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException ex) {
            return null;
        }
    }

    /**
     * Puts a new lease's renewal and validity end on the timer at the next tick.
     */
    void scheduleAtNextTick(SharedLease lease) {
        this.awaitingTick.add(lease);
        // Whoever arms the tick schedules it; a lease added while a tick is armed is drained by that tick, because
        // the tick disarms before it drains.
        if (this.tickScheduled.compareAndSet(false, true) && schedule(this::tick, TICK_NANOS) == null) {
            this.tickScheduled.set(false);
        }
    }

    private void tick() {
        this.tickScheduled.set(false);
        for (SharedLease lease; (lease = this.awaitingTick.poll()) != null;) {
            lease.scheduleTasks();
        }
    }

    /**
     * Returns how many tasks this engine has put on its timer so far; for tests.
     */
    long timerTasksScheduled() {
        return this.timerTasksScheduled.get();
    }

    /**
     * Runs a renewal call on the renewal pool.
     * @return {@code false} when the engine is closing
     */
    boolean runRenewal(Runnable renewal) {
        try {
            this.renewals.execute(renewal);
            return true;
        }
        catch (RejectedExecutionException ex) {
            return false;
        }
    }

    void forget(SharedLease lease) {
        this.live.remove(lease);
    }

    void notifyLeaseLost(Lease lease, String reason, LeaseLoss loss) {
        for (LeaseLossListener listener : this.lossListeners) {
            SharedLease.notifyListener(listener, lease, reason);
        }
        for (Consumer<LeaseLoss> observer : this.lossObservers) {
            try {
                observer.accept(loss);
            }
            catch (RuntimeException ex) {
                logger.warn("Lease loss observer {} failed for lock '{}'", observer, loss.key(), ex);
            }
        }
    }

    private void countWaiter(String key, int change) {
        this.waitingByKey.compute(key, (k, waiting) -> {
            int now = ((waiting != null) ? waiting : 0) + change;
            return (now > 0) ? now : null;
        });
    }

    void releaseQuietly(String key, String ownerToken, LockMode mode) {
        this.backendCalls.increment();
        try {
            if (mode == LockMode.READ) {
                Objects.requireNonNull(this.shared, "validated: READ needs a SharedLeaseBackend")
                    .releaseSharedIfOwner(key, ownerToken);
            }
            else {
                this.backend.releaseIfOwner(key, ownerToken);
            }
        }
        catch (RuntimeException ex) {
            logger.warn("Release of lock '{}' on backend '{}' failed; the lease will expire on the server", key,
                    this.backend.name(), ex);
        }
    }

    private void requireOpen(LockRequest request) {
        if (this.closed) {
            throw new IllegalStateException("LockEngine over backend '" + this.backend.name()
                    + "' is closed; cannot acquire lock '" + request.key() + "'");
        }
    }

    private void validate(LockRequest request) {
        Objects.requireNonNull(request, "request");
        requireOpen(request);
        if (request.mode() == LockMode.READ && this.shared == null) {
            throw new IllegalArgumentException("Lock '" + request.key() + "' asks for mode READ (a shared lease), but "
                    + "backend '" + this.backend.name() + "' grants exclusive leases only; use mode WRITE or a "
                    + "backend with shared leases");
        }
        int maxKeyLength = this.backend.maxKeyLength();
        if (request.key().length() > maxKeyLength) {
            throw new IllegalArgumentException("Lock key is " + request.key().length()
                    + " characters long; backend '" + this.backend.name() + "' accepts at most " + maxKeyLength);
        }
        long validNanos = validNanos(request.leaseTime());
        if (validNanos <= 0) {
            throw new IllegalArgumentException("leaseTime " + request.leaseTime() + " of lock '" + request.key()
                    + "' is not longer than the clock drift allowance " + this.settings.clockDriftFor(request.leaseTime()));
        }
        Duration renewalInterval = this.settings.renewalIntervalFor(request.leaseTime());
        if (request.autoRenew() && 2 * renewalInterval.toNanos() > validNanos) {
            throw new IllegalArgumentException("leaseTime " + request.leaseTime() + " of lock '" + request.key()
                    + "' is too short to renew: its validity " + Duration.ofNanos(validNanos)
                    + " (lease time minus the drift allowance) does not fit two renewal intervals of "
                    + renewalInterval + "; use a longer lease or turn automatic renewal off");
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
        if (request.mode() == LockMode.WRITE && lease.mode == LockMode.READ) {
            // An upgrade would wait for the other readers, who may be waiting to upgrade too: a deadlock.
            throw new IllegalStateException("Lock '" + request.key() + "' is asked for in mode WRITE by a thread that "
                    + "holds it in mode READ; a read lease cannot be upgraded (two readers upgrading would wait for each "
                    + "other forever): release the read lease first, or take the key in mode WRITE from the start");
        }
        // Throws LeaseLostException when the outer hold lost its lease, so a thread never waits for itself.
        if (lease.addHandle(request.minHold())) {
            return new LeaseHandle(lease);
        }
        held.remove(request.key(), lease);
        return null;
    }

    private String newOwnerToken() {
        return this.ownerPrefix + Long.toHexString(this.ownerCounter.incrementAndGet());
    }

    /**
     * One attempt.
     * @param queueFor for a caller waiting in the backend's queue, its remaining wait; {@code null} for a plain
     *     attempt
     */
    private Attempt attemptOnce(LockRequest request, String ownerToken, @Nullable Duration queueFor) {
        String key = request.key();
        long start = System.nanoTime();
        AcquireResult result;
        this.backendCalls.increment();
        try {
            if (request.mode() == LockMode.READ) {
                result = Objects.requireNonNull(this.shared, "validated: READ needs a SharedLeaseBackend")
                    .tryAcquireShared(key, ownerToken, request.leaseTime());
            }
            else {
                if (queueFor == null) {
                    result = this.backend.tryAcquire(key, ownerToken, request.leaseTime());
                }
                else if (this.queue != null) {
                    result = this.queue.tryAcquireOrQueue(key, ownerToken, request.leaseTime(), queueFor);
                }
                else {
                    result = Objects.requireNonNull(this.shared, "only a queue or shared leases keep a wait")
                        .tryAcquireAsWaitingWriter(key, ownerToken, request.leaseTime(), queueFor);
                }
            }
        }
        catch (RuntimeException ex) {
            // The attempt may have been applied with only its reply lost: free the key if it is ours. A caller whose
            // wait the backend keeps ends it when it stops waiting, which frees it too.
            if (queueFor == null) {
                releaseInBackground(key, ownerToken, request.mode());
            }
            outageBegins(ex);
            throw new LockUnavailableException(key, this.backend.name(), "acquire", ex);
        }
        if (this.outageSince.get() != 0) {
            outageEnds();
        }
        if (!result.isGranted()) {
            return new Attempt(null, result.holderRemaining().map(Duration::toNanos).orElse(-1L));
        }
        long validUntil = start + validNanos(request.leaseTime());
        if (System.nanoTime() - validUntil >= 0) {
            logger.warn("Acquiring lock '{}' took longer than its validity; releasing it and treating it as held", key);
            releaseQuietly(key, ownerToken, request.mode());
            return new Attempt(null, -1L);
        }
        return new Attempt(register(request, ownerToken, result.fencingToken(), validUntil), 0);
    }

    /**
     * Makes a granted key a lease of this engine: listed, renewed, reentrant when asked, and ended at once if the
     * engine closed meanwhile.
     * @throws IllegalStateException if the engine closed (the grant is then released)
     */
    private Lease register(LockRequest request, String ownerToken, OptionalLong fencingToken, long validUntil) {
        String key = request.key();
        Map<String, SharedLease> registry = null;
        if (request.reentrant()) {
            registry = this.heldByThread.get();
            if (registry == null) {
                registry = new ConcurrentHashMap<>();
                this.heldByThread.set(registry);
            }
        }
        SharedLease lease = new SharedLease(this, key, request.name(), ownerToken, fencingToken,
                request.leaseTime(), request.mode(), request.autoRenew(), validUntil, request.minHold(), registry);
        this.live.add(lease);
        // After the registration above: either close() sees this lease and ends it, or this sees the flag.
        if (this.closed) {
            if (lease.endBecauseEngineCloses()) {
                releaseQuietly(key, ownerToken, request.mode());
            }
            requireOpen(request);
        }
        if (registry != null) {
            registry.put(key, lease);
        }
        lease.start();
        return new LeaseHandle(lease);
    }

    private void outageBegins(RuntimeException failure) {
        // Nonzero even if nanoTime() is 0 at this moment, so the flag cannot be lost.
        if (this.outageSince.compareAndSet(0, System.nanoTime() | 1)) {
            logger.warn("Lock backend '{}' is unavailable ({}); locked calls fail with LockUnavailableException until "
                    + "it answers again, and this is logged once per outage", this.backend.name(), failure.toString());
        }
    }

    private void outageEnds() {
        long since = this.outageSince.getAndSet(0);
        if (since != 0) {
            logger.info("Lock backend '{}' answers again after an outage of {} ms", this.backend.name(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
        }
    }

    /**
     * Ends a writer's wait in the backend without the lease, on a renewal thread: leaves the queue, or ends the
     * writer's intent; either also releases a grant that reached the owner meanwhile.
     */
    private void endWaitInBackground(String key, String ownerToken) {
        try {
            this.renewals.execute(() -> {
                this.backendCalls.increment();
                try {
                    if (this.queue != null) {
                        this.queue.leaveQueue(key, ownerToken);
                    }
                    else {
                        Objects.requireNonNull(this.shared, "a writer's intent needs shared leases")
                            .endWriterIntent(key, ownerToken);
                    }
                }
                catch (RuntimeException ex) {
                    logger.debug("Ending the wait for lock '{}' on backend '{}' failed; the backend ends it with the "
                            + "wait", key, this.backend.name(), ex);
                }
            });
        }
        catch (RuntimeException ex) {
            logger.debug("Could not schedule the end of the wait for lock '{}'", key, ex);
        }
    }

    void releaseInBackground(String key, String ownerToken, LockMode mode) {
        try {
            this.renewals.execute(() -> releaseQuietly(key, ownerToken, mode));
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

    private static ThreadFactory daemonThreads(String namePrefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, namePrefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private record Attempt(@Nullable Lease lease, long holderRemainingNanos) {
    }

}
