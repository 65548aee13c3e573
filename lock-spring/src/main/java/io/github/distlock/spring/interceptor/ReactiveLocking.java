package io.github.distlock.spring.interceptor;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.spring.LeaseLostAction;
import io.github.distlock.spring.LockContext;
import io.github.distlock.spring.ReactiveLockContext;
import io.github.distlock.spring.WhenLocked;
import io.github.distlock.spring.interceptor.DistributedLockAspectSupport.HeldObservation;
import io.github.distlock.spring.interceptor.DistributedLockAspectSupport.Invoker;
import io.github.distlock.spring.interceptor.DistributedLockOperation.FencingTokenKind;
import io.github.distlock.spring.observation.DefaultLockAcquireObservationConvention;
import io.github.distlock.spring.observation.DistributedLockObservationDocumentation;
import io.github.distlock.spring.observation.LockAcquireContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import org.springframework.core.ReactiveAdapter;

/**
 * Locks a {@code @DistributedLock} method that returns a reactive type, for {@link DistributedLockAspectSupport}:
 * created only when Reactor is on the class path, so that no other class of the interceptor touches Reactor.
 *
 * <p>Guarantees, for every subscription to the returned publisher: the lock is acquired with
 * {@link LockClient#acquireAsync} (no thread blocks while it waits); the method is invoked only once the lease is
 * granted, on a thread of Reactor's bounded elastic scheduler (so a publisher subscribed to twice invokes it
 * twice, each time under a lease of its own); a grant that races a cancel is released; the lease is renewed while the publisher runs and released exactly once, when it
 * completes, fails or is cancelled (for a single-value type, before the value reaches the subscriber); the release,
 * a blocking backend call, runs on Reactor's bounded elastic scheduler, never on the terminating thread. A call that
 * is never subscribed to takes no lock and does not run. {@code SKIP} completes empty without invoking the method,
 * {@code FAIL} and a {@code WAIT} that ran out signal {@link LockNotAcquiredException}, a backend failure
 * {@link LockUnavailableException}. A lease lost while the publisher runs is signalled at once as
 * {@link LeaseLostException} with {@link LeaseLostAction#THROW} (the publisher is cancelled), and logged at its
 * completion with {@link LeaseLostAction#LOG}. The lease is in the Reactor {@code Context} under
 * {@link ReactiveLockContext#LEASE_KEY}, in {@link LockContext} while the method assembles its publisher, and in a
 * {@code @FencingToken} argument. Thread-safe.
 */
final class ReactiveLocking {

    private static final Logger logger = LoggerFactory.getLogger(ReactiveLocking.class);

    private final DistributedLockAspectSupport support;

    ReactiveLocking(DistributedLockAspectSupport support) {
        this.support = support;
    }

    /**
     * Returns the publisher that locks each subscription to the method, adapted to the method's return type. The
     * method is not invoked here.
     */
    Object lock(Invoker invoker, DistributedLockOperation operation, List<LockRequest> requests, Object[] args,
            LockClient client, LeaseLostAction onLeaseLost) {
        ReactiveAdapter adapter = Objects.requireNonNull(operation.reactiveAdapter(), "reactiveAdapter");
        // Each subscription gets its own copy of the arguments, since it receives its own fencing token.
        Object[] arguments = args.clone();
        Mono<Hold> acquire = Mono.defer(() -> acquire(operation, requests, client))
            .map(lease -> new Hold(lease, operation, client, onLeaseLost));
        Publisher<Object> locked;
        if (adapter.isMultiValue()) {
            locked = Flux.usingWhen(acquire, hold -> Flux.from(hold.run(invoker, adapter, arguments)), Hold::complete,
                    Hold::fail, Hold::cancel);
        }
        else {
            locked = Mono.usingWhen(acquire, hold -> Mono.from(hold.run(invoker, adapter, arguments)), Hold::complete,
                    Hold::fail, Hold::cancel);
        }
        return adapter.fromPublisher(locked);
    }

    /**
     * One acquire, observed as {@code distributed.lock.acquire} when observations are on. A {@code SKIP} that finds
     * the lock held completes empty; a cancel of the subscription cancels the engine's wait.
     */
    private Mono<Lease> acquire(DistributedLockOperation operation, List<LockRequest> requests, LockClient client) {
        ObservationRegistry registry = this.support.observationRegistry();
        String key = DistributedLockAspectSupport.keyOf(operation, requests);
        LockAcquireContext context = registry.isNoop() ? null
                : new LockAcquireContext(operation.name(), key, client.backendName(), operation.whenLocked());
        Observation observation = (context == null) ? null
                : DistributedLockObservationDocumentation.ACQUIRE
                    .observation(this.support.acquireConvention(), DefaultLockAcquireObservationConvention.INSTANCE,
                            () -> context, registry)
                    .start();
        // The client's own future, not a stage derived from it: cancelling the subscription must cancel the wait.
        Mono<Lease> acquired = Mono.<Lease>fromFuture(() -> operation.multiKey() ? client.acquireAllAsync(requests)
                : client.acquireAsync(requests.get(0)))
            // The method runs on the thread that delivers the lease: not one of the engine's few acquire threads,
            // which every asynchronous acquire shares.
            .publishOn(Schedulers.boundedElastic())
            // A grant that arrives after the subscriber cancelled is dropped by Reactor, never by the lease.
            .doOnDiscard(Lease.class, Lease::release)
            .onErrorMap(LockNotAcquiredException.class,
                    ex -> new LockNotAcquiredException(ex.getKey(), ex.getWaitTime(), operation.description()))
            .onErrorMap(LockUnavailableException.class,
                    ex -> new LockUnavailableException(operation.description(), ex));
        if (operation.whenLocked() == WhenLocked.SKIP) {
            acquired = acquired.onErrorResume(LockNotAcquiredException.class, ex -> {
                logger.debug("Skipped {}: lock '{}' is held by another owner", operation.description(), key);
                return Mono.empty();
            });
        }
        if (observation == null) {
            return acquired;
        }
        AtomicBoolean stopped = new AtomicBoolean();
        return acquired.doOnEach(signal -> {
            if (signal.isOnNext()) {
                context.setOutcome(LockAcquireContext.Outcome.ACQUIRED);
            }
            else if (signal.isOnComplete() && context.getOutcome() == LockAcquireContext.Outcome.PENDING) {
                context.setOutcome(LockAcquireContext.Outcome.SKIPPED);
            }
            else if (signal.isOnError()) {
                Throwable failure = Objects.requireNonNull(signal.getThrowable());
                context.setOutcome((failure instanceof RuntimeException ex) ? DistributedLockAspectSupport.outcomeOf(ex)
                        : LockAcquireContext.Outcome.ERROR);
                observation.error(failure);
            }
        })
            // Stopped before the terminal signal travels on, so that whoever sees the call end sees the observation
            // stopped (doFinally would run only after the subscriber's onComplete).
            .doOnTerminate(() -> stopOnce(observation, stopped))
            .doOnCancel(() -> {
                if (context.getOutcome() == LockAcquireContext.Outcome.PENDING) {
                    // Cancelled while waiting: like an interrupted wait, the method did not run.
                    context.setOutcome(LockAcquireContext.Outcome.INTERRUPTED);
                }
                stopOnce(observation, stopped);
            });
    }

    private static void stopOnce(Observation observation, AtomicBoolean stopped) {
        if (stopped.compareAndSet(false, true)) {
            observation.stop();
        }
    }

    /**
     * The lease of one subscription, from the grant to the release; the resource of {@code usingWhen}, which calls
     * exactly one of {@link #complete}, {@link #fail} and {@link #cancel}.
     */
    private final class Hold {

        private final Lease lease;

        private final DistributedLockOperation operation;

        private final LeaseLostAction onLeaseLost;

        private final HeldObservation held;

        // Fails when the lease is lost (with THROW), cutting the method's publisher short.
        private final Sinks.One<Object> loss = Sinks.one();

        Hold(Lease lease, DistributedLockOperation operation, LockClient client, LeaseLostAction onLeaseLost) {
            this.lease = lease;
            this.operation = operation;
            this.onLeaseLost = onLeaseLost;
            ObservationRegistry registry = ReactiveLocking.this.support.observationRegistry();
            this.held = registry.isNoop() ? HeldObservation.NONE
                    : HeldObservation.start(ReactiveLocking.this.support.heldConvention(), operation, client, lease,
                            registry);
            if (onLeaseLost == LeaseLostAction.THROW) {
                lease.addLossListener((lost, reason) -> {
                    LeaseLostException described = DistributedLockAspectSupport.leaseLostIfAny(lost, operation);
                    this.loss.tryEmitError((described != null) ? described : new LeaseLostException(lost.key(), reason));
                });
            }
        }

        /** Invokes the method under this lease and returns its publisher, cut short by a loss of the lease. */
        Publisher<?> run(Invoker invoker, ReactiveAdapter adapter, Object[] sharedArguments) {
            Object[] arguments = sharedArguments.clone();
            FencingTokenKind tokenKind = this.operation.fencingTokenKind();
            if (tokenKind != FencingTokenKind.NONE) {
                arguments[this.operation.fencingTokenParameter()] = tokenKind.argument(this.lease.fencingToken());
            }
            Object result;
            try (LockContext.Scope scope = LockContext.bind(this.lease)) {
                result = invoker.proceedAgain(arguments);
            }
            catch (Throwable ex) {
                return Flux.error(ex);
            }
            if (result == null) {
                return Flux.error(new IllegalStateException(this.operation.description()
                        + " returned null instead of a " + adapter.getReactiveType().getSimpleName()));
            }
            Context withLease = Context.of(ReactiveLockContext.LEASE_KEY, this.lease);
            if (adapter.isMultiValue()) {
                return Flux.from(adapter.toPublisher(result)).takeUntilOther(this.loss.asMono()).contextWrite(withLease);
            }
            // A single value races the loss: whichever signals first wins, and a loss never completes on its own.
            return Mono.from(adapter.toPublisher(result)).or(this.loss.asMono()).contextWrite(withLease);
        }

        Mono<Void> complete() {
            LeaseLostException lost = DistributedLockAspectSupport.leaseLostIfAny(this.lease, this.operation);
            return release().then(Mono.defer(() -> {
                this.held.stop(lost, null);
                if (lost != null) {
                    if (this.onLeaseLost == LeaseLostAction.THROW) {
                        return Mono.error(lost);
                    }
                    logger.warn(lost.getMessage());
                }
                return Mono.empty();
            }));
        }

        Mono<Void> fail(Throwable failure) {
            LeaseLostException lost = (failure instanceof LeaseLostException) ? null
                    : DistributedLockAspectSupport.leaseLostIfAny(this.lease, this.operation);
            if (lost != null) {
                failure.addSuppressed(lost);
            }
            return release().doOnTerminate(
                    () -> this.held.stop((failure instanceof LeaseLostException ex) ? ex : lost, failure));
        }

        Mono<Void> cancel() {
            return release().doOnTerminate(() -> this.held.stop(null, null));
        }

        /** Releases the lease (idempotent) off the terminating thread, which may be a non-blocking one. */
        private Mono<Void> release() {
            return Mono.fromRunnable(this.lease::release).subscribeOn(Schedulers.boundedElastic()).then();
        }

    }

}
