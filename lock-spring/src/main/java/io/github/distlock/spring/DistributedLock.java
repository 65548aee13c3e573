package io.github.distlock.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.github.distlock.core.LockMode;

import org.springframework.core.annotation.AliasFor;

/**
 * Runs the annotated method while holding a distributed lock.
 *
 * <p>When the method is called through its Spring proxy, the key expression is evaluated against the arguments,
 * a lease is acquired on {@code <key-prefix><name>:<key>}, the method runs while the lease is renewed, and the lease
 * is released when the method returns or throws (or, for a {@code CompletionStage}, when it completes). Calls from
 * the same object ({@code this.charge(...)}) do not go through the proxy and are not locked.
 *
 * <p>A method returning a reactive type ({@code Mono}, {@code Flux}, a {@code Publisher}, or any type Spring's
 * {@code ReactiveAdapterRegistry} knows, Kotlin's {@code Flow} with {@code kotlinx-coroutines-reactor}) is locked
 * per subscription, when Reactor is on the class path: calling it returns at once without locking anything; each
 * subscription acquires the lock without blocking a thread, then invokes the method, and releases the lock exactly
 * once when the publisher completes, fails or is cancelled. {@code SKIP} completes empty, {@code FAIL} signals an
 * error; the lease is in the Reactor context ({@link ReactiveLockContext}). A reactive type without Reactor, and a
 * Kotlin {@code suspend} function, fail start-up: their work would run after the lock is released.
 *
 * <p>On a {@code void} method annotated {@link org.springframework.scheduling.annotation.Scheduled @Scheduled} it
 * runs the job on one instance per period: such a method skips by default when the lock is held (see
 * {@link #whenLocked()}), and {@link #minHold()} keeps the lock after a short run so that an instance whose clock is
 * slightly behind does not run the same period again:
 * <pre>{@code
 * @Scheduled(cron = "0 0 2 * * *")
 * @DistributedLock(key = "'nightly-report'", leaseTime = "5m", minHold = "30s")
 * public void nightlyReport() { ... }
 * }</pre>
 *
 * <p>On a class or interface it applies to every public method. The first found of these applies: the method, the
 * interface method it implements, the class, the interface. It can be used as a meta-annotation:
 * <pre>{@code
 * @Retention(RUNTIME) @Target(METHOD)
 * @DistributedLock(name = "order", leaseTime = "30s")
 * @interface OrderLock {
 *     @AliasFor(annotation = DistributedLock.class) String key();
 * }
 * }</pre>
 *
 * <p>Every expression and duration is checked when the bean is created, so a typo fails start-up with the method
 * and the expression in the message.
 *
 * @since 0.1.0
 */
@Target({ ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface DistributedLock {

    /**
     * Alias for {@link #key()}.
     * @return the key expression
     */
    @AliasFor("key")
    String value() default "";

    /**
     * The SpEL expression that gives the lock key from the method's parameters, by name ({@code #order.id}) or by
     * position ({@code #p0}, {@code #a0}). It is always an expression: write a constant as {@code 'daily-report'};
     * a bare name is read from {@link io.github.distlock.spring.interceptor.LockKeyRoot} ({@code methodName},
     * {@code args}), so an unquoted constant fails start-up.
     * Empty means one lock for the whole {@link #name()}. The value must not evaluate to {@code null} or an empty
     * string, and its text is the key, so it must identify the value: an object whose class has no
     * {@code toString()} of its own ({@code Order@1b2c3d}), an array, a collection or a map is refused, at start-up
     * when the declared type shows it and otherwise at the call, before any lock is taken.
     * @return the key expression
     */
    @AliasFor("value")
    String key() default "";

    /**
     * A SpEL expression, in the same form as {@link #key()}, that gives several keys at once: a collection or an
     * array, each element one key ({@code #order.lines.![sku]} for every product of an order). Each element is
     * locked as {@link #key()} would lock it alone, all of them or none: they are taken one by one in their sorted
     * order, whatever the order of the collection, so two calls whose key sets overlap never deadlock; the wait
     * time is one deadline for the whole set; when one key is not granted, those already taken are released and the
     * method does not run. Each key has its own lease and fencing token ({@link LockContext#fencingTokens()}); a
     * {@link FencingToken} parameter is not allowed. Elements follow the rules of {@link #key()}; {@code null}
     * elements and an empty collection are refused at the call, before any lock is taken, and an element given
     * twice is locked once. Not allowed together with {@link #key()}.
     * @return the expression of the keys, or empty for a single key
     * @since 0.1.0
     */
    String keys() default "";

    /**
     * The namespace of the lock. Two methods with the same name and key share one lock. Empty means the declaring
     * class's name and the method name ({@code com.example.OrderService.charge}).
     * @return the lock name
     */
    String name() default "";

    /**
     * How long the lease lasts without renewal, as {@code 30s}, {@code 500ms}, {@code 2m} or {@code PT30S};
     * {@code ${...}} placeholders are resolved. Empty means {@code distributed-lock.lease-time}.
     * @return the lease time
     */
    String leaseTime() default "";

    /**
     * How long to wait for a held lock with {@link WhenLocked#WAIT}, in the same format as {@link #leaseTime()}.
     * Empty means {@code distributed-lock.wait-time}. Not allowed with {@link WhenLocked#SKIP} or
     * {@link WhenLocked#FAIL}, which make one attempt.
     * @return the wait time
     */
    String waitTime() default "";

    /**
     * What to do when another owner holds the lock. The default, {@link WhenLocked#DEFAULT}, is
     * {@link WhenLocked#SKIP} for a {@code void} method annotated
     * {@link org.springframework.scheduling.annotation.Scheduled @Scheduled} and {@link WhenLocked#WAIT} otherwise.
     * @return the policy
     */
    WhenLocked whenLocked() default WhenLocked.DEFAULT;

    /**
     * The shortest time the lock stays held, counted from its grant, in the same format as {@link #leaseTime()};
     * {@code ${...}} placeholders are resolved. When the method returns (or throws) sooner, the call returns at once
     * and the lock is released in the background once the time has passed. Meant for scheduled jobs: with
     * {@code minHold} a little shorter than the job's period, an instance whose clock or schedule is a few
     * milliseconds off finds the lock still held and skips the period that another instance already ran (what
     * ShedLock calls {@code lockAtLeastFor}). At most {@link #leaseTime()}: if the process dies, the lock ends when
     * its lease does, which must not come before the minimum hold. Empty means none: the lock is released when the
     * method returns.
     * @return the minimum hold
     */
    String minHold() default "";

    /**
     * Whether the lease is renewed while the method runs. When {@code false} the lease ends after
     * {@link #leaseTime()} even if the method is still running, and the caller gets
     * {@link io.github.distlock.core.LeaseLostException} (or a log line, per {@code distributed-lock.on-lease-lost}).
     * @return whether to renew automatically
     */
    boolean autoRenew() default true;

    /**
     * Whether the call holds the key alone ({@link LockMode#WRITE}, the default) or shares it with other readers
     * ({@link LockMode#READ}): any number of {@code READ} calls run at once, a {@code WRITE} call runs with nobody
     * else, and a {@code WRITE} call that waits keeps later {@code READ} calls out, so readers cannot starve it.
     * {@code READ} needs a backend with shared leases (the README lists them); on any other backend the
     * application fails to start, naming the method and the backend. A {@code READ} method called inside a {@code WRITE} or {@code READ} hold of
     * the same key on the same thread re-enters it; a {@code WRITE} method called inside a {@code READ} hold is
     * refused with {@link IllegalStateException}.
     * @return the mode
     * @since 0.1.0
     */
    LockMode mode() default LockMode.WRITE;

}
