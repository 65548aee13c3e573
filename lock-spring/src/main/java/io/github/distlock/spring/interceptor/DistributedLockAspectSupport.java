package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.github.distlock.core.DistributedLockException;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.LeaseLostAction;
import io.github.distlock.spring.LockContext;
import io.github.distlock.spring.interceptor.DistributedLockOperation.FencingTokenKind;

import io.github.distlock.spring.observation.DefaultLockAcquireObservationConvention;
import io.github.distlock.spring.observation.DefaultLockHeldObservationConvention;
import io.github.distlock.spring.observation.DistributedLockObservationDocumentation;
import io.github.distlock.spring.observation.LockAcquireContext;
import io.github.distlock.spring.observation.LockAcquireObservationConvention;
import io.github.distlock.spring.observation.LockHeldContext;
import io.github.distlock.spring.observation.LockHeldObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.function.SingletonSupplier;

/**
 * The behaviour behind {@link io.github.distlock.spring.DistributedLock}, independent of the AOP mechanism: evaluate
 * the key, acquire according to the operation's policy, run the method with the lease bound to
 * {@link LockContext}, and release when the method returns, throws or (for a {@code CompletionStage}) completes. A
 * method returning a reactive type is handed to {@code ReactiveLocking} (only when Reactor is on the class path),
 * which locks each subscription from its start to its termination.
 *
 * <p>A method never runs without its lease: every failure to acquire (held, backend down, invalid key) is thrown
 * before the method is invoked, except {@link io.github.distlock.spring.WhenLocked#SKIP}, which returns an empty
 * value without invoking it. A method with a {@code long @FencingToken} parameter never runs over a lock client
 * without fencing tokens: the start-up validator checks the operations it saw once the singletons are
 * instantiated, and a call refuses any other such operation. Whether the client issues fencing tokens is asked once
 * and kept, so the check costs a call nothing more than reading that answer. Thread-safe.
 *
 * @since 0.1.0
 */
public abstract class DistributedLockAspectSupport {

    private static final Logger logger = LoggerFactory.getLogger(DistributedLockAspectSupport.class);

    private final DistributedLockOperationSource operationSource;

    private final Supplier<LockClient> lockClient;

    private final Supplier<DistributedLockSettings> settings;

    // Asked once, at the start-up check or at the first call that needs it: a lock client does not change its answer.
    private final SingletonSupplier<Boolean> clientIssuesFencingTokens;

    private final SingletonSupplier<Boolean> clientSharesLeases;

    // Set while the context is configured, before the first call; read by every call.
    private Supplier<ObservationRegistry> observationRegistry = () -> ObservationRegistry.NOOP;

    private Supplier<@Nullable LockAcquireObservationConvention> acquireConvention = () -> null;

    private Supplier<@Nullable LockHeldObservationConvention> heldConvention = () -> null;

    // Touched only when Reactor is on the class path, so that no other code path loads a Reactor class.
    private final @Nullable ReactiveLocking reactiveLocking = ReactiveMethods.REACTOR_PRESENT ? new ReactiveLocking(this)
            : null;

    /**
     * Creates the aspect support.
     * @param operationSource finds the operation of a method
     * @param lockClient supplies the lock client, resolved at the first call
     * @param settings supplies the key prefix and the lease-lost policy
     */
    protected DistributedLockAspectSupport(DistributedLockOperationSource operationSource,
            Supplier<LockClient> lockClient, Supplier<DistributedLockSettings> settings) {
        this.operationSource = operationSource;
        this.lockClient = lockClient;
        this.settings = settings;
        this.clientIssuesFencingTokens = SingletonSupplier.of(() -> lockClient.get().supportsFencingTokens());
        this.clientSharesLeases = SingletonSupplier.of(() -> lockClient.get().supportsSharedLeases());
    }

    /**
     * Sets where the {@code distributed.lock.acquire} and {@code distributed.lock.held} observations go. Without
     * one, or with a no-op registry, a call creates no observation and no context at all.
     * @param observationRegistry supplies the registry, resolved once at the first call
     */
    public void setObservationRegistry(Supplier<ObservationRegistry> observationRegistry) {
        this.observationRegistry = SingletonSupplier.of(observationRegistry);
    }

    /**
     * Replaces {@link DefaultLockAcquireObservationConvention}.
     * @param convention supplies the convention, or {@code null} for the default; resolved once at the first
     *     observed call
     */
    public void setAcquireObservationConvention(Supplier<@Nullable LockAcquireObservationConvention> convention) {
        this.acquireConvention = SingletonSupplier.of(convention);
    }

    /**
     * Replaces {@link DefaultLockHeldObservationConvention}.
     * @param convention supplies the convention, or {@code null} for the default; resolved once at the first
     *     observed call
     */
    public void setHeldObservationConvention(Supplier<@Nullable LockHeldObservationConvention> convention) {
        this.heldConvention = SingletonSupplier.of(convention);
    }

    /**
     * Runs one call of a possibly locked method.
     * @param invoker continues the call
     * @param method the invoked method
     * @param target the target object, or {@code null} for a proxy without a target
     * @param targetClass the target class (the method's declaring class for a proxy without a target)
     * @param args the arguments; a {@code @FencingToken} argument is replaced in place
     * @return the method's result, or the empty value of a skipped call
     * @throws Throwable whatever the method throws, or the lock's exceptions
     */
    protected @Nullable Object execute(Invoker invoker, Method method, @Nullable Object target, Class<?> targetClass,
            Object[] args) throws Throwable {
        DistributedLockOperation operation = this.operationSource.findOperation(method, targetClass);
        if (operation == null) {
            return invoker.proceed();
        }
        DistributedLockSettings settings = this.settings.get();
        List<LockRequest> requests = requestsOf(operation, settings, args, target);
        String key = keyOf(operation, requests);
        LockClient client = this.lockClient.get();
        String unserved = whyTheLockClientCannotServe(operation);
        if (unserved != null) {
            throw new IllegalStateException(unserved);
        }
        FencingTokenKind tokenKind = operation.fencingTokenKind();
        if (operation.reactiveAdapter() != null) {
            // The method runs once per subscription, under a lease of that subscription; nothing is locked here.
            return Objects.requireNonNull(this.reactiveLocking, "Reactor is on the class path")
                .lock(invoker, operation, requests, args, client, settings.onLeaseLost());
        }
        ObservationRegistry registry = this.observationRegistry.get();
        Lease lease = registry.isNoop() ? acquire(client, operation, requests)
                : acquireObserved(client, operation, requests, registry);
        if (lease == null) {
            logger.debug("Skipped {}: lock '{}' is held by another owner", operation.description(), key);
            // A future of its own for each skipped call: a shared one could be changed by any caller (obtrudeValue).
            return operation.asynchronous() ? CompletableFuture.completedFuture(null) : operation.skippedValue();
        }
        if (tokenKind != FencingTokenKind.NONE) {
            args[operation.fencingTokenParameter()] = tokenKind.argument(lease.fencingToken());
        }
        HeldObservation held = registry.isNoop() ? HeldObservation.NONE
                : HeldObservation.start(this.heldConvention.get(), operation, client, lease, registry);
        Object result;
        try (LockContext.Scope scope = LockContext.bind(lease); Observation.Scope observed = held.openScope()) {
            result = invoker.proceed();
        }
        catch (Throwable ex) {
            LeaseLostException lost = leaseLostIfAny(lease, operation);
            lease.release();
            held.stop(lost, ex);
            if (lost != null) {
                ex.addSuppressed(lost);
            }
            throw ex;
        }
        if (operation.asynchronous() && result instanceof CompletionStage<?> stage) {
            return releaseOnCompletion(stage, lease, operation, settings.onLeaseLost(), held);
        }
        LeaseLostException lost = leaseLostIfAny(lease, operation);
        lease.release();
        held.stop(lost, null);
        if (lost != null) {
            onLeaseLost(lost, settings.onLeaseLost());
        }
        return result;
    }

    /**
     * Evaluates the operation's key (or keys) for one call and makes the requests: one for a single-key operation,
     * one per key (in the collection's order; the client sorts them) for a multi-key one.
     */
    private static List<LockRequest> requestsOf(DistributedLockOperation operation, DistributedLockSettings settings,
            Object[] args, @Nullable Object target) {
        if (!operation.multiKey()) {
            return List.of(requestFor(operation, operation.lockKey(settings.keyPrefix(),
                    LockKeyEvaluator.SHARED.evaluate(operation, args, target))));
        }
        List<String> keys = LockKeyEvaluator.SHARED.evaluateAll(operation, args, target);
        List<LockRequest> requests = new ArrayList<>(keys.size());
        for (String key : keys) {
            requests.add(requestFor(operation, operation.lockKey(settings.keyPrefix(), key)));
        }
        return requests;
    }

    private static LockRequest requestFor(DistributedLockOperation operation, String key) {
        return new LockRequest(key, operation.leaseTime(), operation.waitTime(), operation.autoRenew(),
                !operation.asynchronous(), operation.name(), operation.minHold(), operation.mode());
    }

    /**
     * Explains why the lock client cannot serve the operation, or returns {@code null} if it can: a
     * {@code long @FencingToken} parameter needs a client that issues fencing tokens, {@code mode = READ} a client
     * with shared leases. The client is asked once per capability.
     * @param operation the operation
     * @return the problem, naming the method, the parameter or attribute, and the backend, or {@code null}
     */
    @Nullable String whyTheLockClientCannotServe(DistributedLockOperation operation) {
        if (operation.mode() == LockMode.READ && !this.clientSharesLeases.obtain()) {
            return operation.description() + " asks for mode = READ (a lock shared with other readers), but lock "
                    + "backend '" + this.lockClient.get().backendName() + "' grants exclusive locks only; use "
                    + "mode = WRITE, or a backend with shared locks";
        }
        if (operation.fencingTokenKind() != FencingTokenKind.LONG || this.clientIssuesFencingTokens.obtain()) {
            return null;
        }
        int index = operation.fencingTokenParameter();
        List<String> names = operation.parameterNames();
        String parameter = "parameter " + index + (names.isEmpty() ? "" : " (" + names.get(index) + ")");
        return operation.description() + " takes a long @FencingToken as " + parameter + ", but lock backend '"
                + this.lockClient.get().backendName() + "' issues no fencing tokens; use OptionalLong or Long, or a "
                + "backend with fencing tokens";
    }

    /**
     * Acquires as {@link #acquire} does, inside a {@code distributed.lock.acquire} observation whose outcome says how
     * it ended.
     */
    private @Nullable Lease acquireObserved(LockClient client, DistributedLockOperation operation,
            List<LockRequest> requests, ObservationRegistry registry) {
        LockAcquireContext context = new LockAcquireContext(operation.name(), keyOf(operation, requests),
                client.backendName(), operation.whenLocked());
        Observation observation = DistributedLockObservationDocumentation.ACQUIRE
            .observation(this.acquireConvention.get(), DefaultLockAcquireObservationConvention.INSTANCE, () -> context,
                    registry)
            .start();
        try {
            Lease lease = acquire(client, operation, requests);
            context.setOutcome((lease != null) ? LockAcquireContext.Outcome.ACQUIRED
                    : LockAcquireContext.Outcome.SKIPPED);
            return lease;
        }
        catch (RuntimeException ex) {
            context.setOutcome(outcomeOf(ex));
            observation.error(ex);
            throw ex;
        }
        finally {
            observation.stop();
        }
    }

    ObservationRegistry observationRegistry() {
        return this.observationRegistry.get();
    }

    @Nullable LockAcquireObservationConvention acquireConvention() {
        return this.acquireConvention.get();
    }

    @Nullable LockHeldObservationConvention heldConvention() {
        return this.heldConvention.get();
    }

    static LockAcquireContext.Outcome outcomeOf(RuntimeException ex) {
        if (ex instanceof LockNotAcquiredException) {
            return LockAcquireContext.Outcome.NOT_ACQUIRED;
        }
        if (ex instanceof LockUnavailableException) {
            return LockAcquireContext.Outcome.UNAVAILABLE;
        }
        if (ex.getCause() instanceof InterruptedException) {
            return LockAcquireContext.Outcome.INTERRUPTED;
        }
        return LockAcquireContext.Outcome.ERROR;
    }

    /**
     * Acquires per the operation's policy. The lock exceptions that reach the caller name the method and say that
     * it did not run: the engine's own messages know only the key.
     */
    private @Nullable Lease acquire(LockClient client, DistributedLockOperation operation,
            List<LockRequest> requests) {
        LockRequest request = requests.get(0);
        boolean multiKey = operation.multiKey();
        try {
            switch (operation.whenLocked()) {
                case WAIT:
                    try {
                        return multiKey ? client.acquireAll(requests) : client.acquire(request);
                    }
                    catch (LockNotAcquiredException ex) {
                        throw new LockNotAcquiredException(ex.getKey(), ex.getWaitTime(), operation.description());
                    }
                case FAIL:
                    return tryAcquire(client, operation, requests).orElseThrow(() -> new LockNotAcquiredException(
                            keyOf(operation, requests), request.waitTime(), operation.description()));
                case SKIP:
                default:
                    return tryAcquire(client, operation, requests).orElse(null);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            String key = keyOf(operation, requests);
            throw new DistributedLockException(key, "Interrupted while waiting for lock '"
                    + key + "' of " + operation.description() + "; the method did not run", ex);
        }
        catch (LockUnavailableException ex) {
            throw new LockUnavailableException(operation.description(), ex);
        }
    }

    private static Optional<? extends Lease> tryAcquire(LockClient client, DistributedLockOperation operation,
            List<LockRequest> requests) {
        return operation.multiKey() ? client.tryAcquireAll(requests) : client.tryAcquire(requests.get(0));
    }

    /** The key as shown in messages and observations: the one key, or a multi-key operation's keys as a list. */
    static String keyOf(DistributedLockOperation operation, List<LockRequest> requests) {
        return operation.multiKey() ? requests.stream().map(LockRequest::key).toList().toString()
                : requests.get(0).key();
    }

    private static CompletableFuture<Object> releaseOnCompletion(CompletionStage<?> stage, Lease lease,
            DistributedLockOperation operation, LeaseLostAction action, HeldObservation held) {
        CompletableFuture<Object> completion = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            LeaseLostException lost = leaseLostIfAny(lease, operation);
            // Released before the caller's future completes, so a caller that reacts to completion finds it free.
            lease.release();
            held.stop(lost, failure);
            if (failure != null) {
                if (lost != null) {
                    failure.addSuppressed(lost);
                }
                completion.completeExceptionally(failure);
            }
            else if (lost != null && action == LeaseLostAction.THROW) {
                completion.completeExceptionally(lost);
            }
            else {
                if (lost != null) {
                    logger.warn(lost.getMessage());
                }
                completion.complete(value);
            }
        });
        return completion;
    }

    static @Nullable LeaseLostException leaseLostIfAny(Lease lease, DistributedLockOperation operation) {
        try {
            lease.checkHeld();
            return null;
        }
        catch (LeaseLostException ex) {
            return new LeaseLostException(lease.key(), "the lease ended while " + operation.description()
                    + " was running, so part of its work was not protected (" + ex.getMessage() + ")");
        }
    }

    private static void onLeaseLost(LeaseLostException lost, LeaseLostAction action) {
        if (action == LeaseLostAction.THROW) {
            throw lost;
        }
        logger.warn(lost.getMessage());
    }

    /**
     * The {@code distributed.lock.held} observation of one call, or nothing when observations are off.
     */
    static class HeldObservation {

        static final HeldObservation NONE = new HeldObservation();

        Observation.Scope openScope() {
            return Observation.Scope.NOOP;
        }

        void stop(@Nullable LeaseLostException lost, @Nullable Throwable failure) {
        }

        static HeldObservation start(@Nullable LockHeldObservationConvention convention,
                DistributedLockOperation operation, LockClient client, Lease lease, ObservationRegistry registry) {
            LockHeldContext context = new LockHeldContext(operation.name(), lease.key(), client.backendName(),
                    lease.fencingToken());
            Observation observation = DistributedLockObservationDocumentation.HELD
                .observation(convention, DefaultLockHeldObservationConvention.INSTANCE, () -> context, registry)
                .start();
            return new Observed(observation, context);
        }

        private static final class Observed extends HeldObservation {

            private final Observation observation;

            private final LockHeldContext context;

            Observed(Observation observation, LockHeldContext context) {
                this.observation = observation;
                this.context = context;
            }

            @Override
            Observation.Scope openScope() {
                return this.observation.openScope();
            }

            @Override
            void stop(@Nullable LeaseLostException lost, @Nullable Throwable failure) {
                // A loss is what an operator must see first: the method's own failure may even follow from it.
                this.context.setOutcome((lost != null) ? LockHeldContext.Outcome.LOST
                        : (failure != null) ? LockHeldContext.Outcome.ERROR : LockHeldContext.Outcome.RELEASED);
                if (failure != null) {
                    this.observation.error(failure);
                }
                else if (lost != null) {
                    this.observation.error(lost);
                }
                this.observation.stop();
            }

        }

    }

    /**
     * Continues an intercepted call.
     */
    @FunctionalInterface
    protected interface Invoker {

        /**
         * Invokes the method.
         * @return its result
         * @throws Throwable what it throws
         */
        @Nullable Object proceed() throws Throwable;

        /**
         * Invokes the method once more with the given arguments, continuing from where {@link #proceed()} would: a
         * reactive method is invoked once per subscription, after its lease is granted, and never by
         * {@link #proceed()}. The default refuses, so that an invoker that can only proceed once never runs a
         * reactive method unlocked.
         * @param arguments the arguments of this invocation
         * @return its result
         * @throws Throwable what it throws
         */
        default @Nullable Object proceedAgain(Object[] arguments) throws Throwable {
            throw new IllegalStateException("This interception cannot invoke a method once per subscription, so a "
                    + "reactive @DistributedLock method cannot be locked through it");
        }

    }

}
