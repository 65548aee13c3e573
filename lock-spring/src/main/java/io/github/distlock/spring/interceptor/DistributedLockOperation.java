package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import io.github.distlock.core.LockMode;
import io.github.distlock.spring.WhenLocked;

import org.jspecify.annotations.Nullable;
import org.springframework.core.ReactiveAdapter;
import org.springframework.expression.Expression;

/**
 * Everything the interceptor needs to lock one method, resolved once from its {@code @DistributedLock}: the lock
 * name, the parsed key expression, the durations, the policy and how to adapt arguments and return values.
 * Immutable and thread-safe.
 *
 * @param method the annotated method (the most specific implementation)
 * @param description the method as shown in messages, for example {@code OrderService.charge(Order)}
 * @param name the lock name (namespace)
 * @param keyExpressionText the key expression as written, or empty for one lock per name
 * @param keyExpression the parsed key expression, or {@code null} when there is none
 * @param leaseTime the lease time
 * @param waitTime the wait time ({@link Duration#ZERO} for {@link WhenLocked#SKIP} and {@link WhenLocked#FAIL})
 * @param whenLocked what to do when the lock is held, already resolved: never {@link WhenLocked#DEFAULT}
 * @param autoRenew whether the lease is renewed while the method runs
 * @param fencingTokenParameter the index of the {@code @FencingToken} parameter, or {@code -1}
 * @param fencingTokenKind the type of that parameter, {@link FencingTokenKind#NONE} when there is none
 * @param asynchronous whether the method returns a {@code CompletionStage} whose completion ends the hold
 * @param skippedValue what a call skipped by {@link WhenLocked#SKIP} returns: {@code false}, an empty
 *     {@code Optional}, collection or map, or {@code null}; {@code null} for an asynchronous method, whose skipped
 *     calls each get a new completed future
 * @param parameterNames the method's parameter names, or empty when they are not available
 * @param minHold how long the lock stays held at least after its grant, {@link Duration#ZERO} for none; at most the
 *     lease time
 * @param reactiveAdapter the adapter of the method's reactive return type, locked from subscription to termination,
 *     or {@code null} when the method does not return one (always {@code null} without Reactor on the class path)
 * @param mode whether the call holds the key alone ({@link LockMode#WRITE}) or shares it with readers
 * @param multiKey whether the key expression (from {@code keys}) gives a collection or array of keys, all locked
 *     together, rather than one key
 * @since 0.1.0
 */
public record DistributedLockOperation(Method method, String description, String name, String keyExpressionText,
        @Nullable Expression keyExpression, Duration leaseTime, Duration waitTime, WhenLocked whenLocked,
        boolean autoRenew, int fencingTokenParameter, FencingTokenKind fencingTokenKind, boolean asynchronous,
        @Nullable Object skippedValue, List<String> parameterNames,
        Duration minHold, @Nullable ReactiveAdapter reactiveAdapter, LockMode mode, boolean multiKey) {

    /**
     * Creates a single-key operation.
     * @param method the annotated method
     * @param description the method as shown in messages
     * @param name the lock name
     * @param keyExpressionText the key expression as written
     * @param keyExpression the parsed key expression, or {@code null}
     * @param leaseTime the lease time
     * @param waitTime the wait time
     * @param whenLocked the resolved policy
     * @param autoRenew whether the lease is renewed
     * @param fencingTokenParameter the index of the {@code @FencingToken} parameter, or {@code -1}
     * @param fencingTokenKind the type of that parameter
     * @param asynchronous whether the method returns a {@code CompletionStage}
     * @param skippedValue what a skipped call returns
     * @param parameterNames the parameter names
     * @param minHold the minimum hold
     * @param reactiveAdapter the reactive adapter, or {@code null}
     * @param mode the mode
     */
    public DistributedLockOperation(Method method, String description, String name, String keyExpressionText,
            @Nullable Expression keyExpression, Duration leaseTime, Duration waitTime, WhenLocked whenLocked,
            boolean autoRenew, int fencingTokenParameter, FencingTokenKind fencingTokenKind, boolean asynchronous,
            @Nullable Object skippedValue, List<String> parameterNames, Duration minHold,
            @Nullable ReactiveAdapter reactiveAdapter, LockMode mode) {
        this(method, description, name, keyExpressionText, keyExpression, leaseTime, waitTime, whenLocked, autoRenew,
                fencingTokenParameter, fencingTokenKind, asynchronous, skippedValue, parameterNames, minHold,
                reactiveAdapter, mode, false);
    }

    /**
     * Creates an exclusive ({@link LockMode#WRITE}) operation.
     * @param method the annotated method
     * @param description the method as shown in messages
     * @param name the lock name
     * @param keyExpressionText the key expression as written
     * @param keyExpression the parsed key expression, or {@code null}
     * @param leaseTime the lease time
     * @param waitTime the wait time
     * @param whenLocked the resolved policy
     * @param autoRenew whether the lease is renewed
     * @param fencingTokenParameter the index of the {@code @FencingToken} parameter, or {@code -1}
     * @param fencingTokenKind the type of that parameter
     * @param asynchronous whether the method returns a {@code CompletionStage}
     * @param skippedValue what a skipped call returns
     * @param parameterNames the parameter names
     * @param minHold the minimum hold
     * @param reactiveAdapter the reactive adapter, or {@code null}
     */
    public DistributedLockOperation(Method method, String description, String name, String keyExpressionText,
            @Nullable Expression keyExpression, Duration leaseTime, Duration waitTime, WhenLocked whenLocked,
            boolean autoRenew, int fencingTokenParameter, FencingTokenKind fencingTokenKind, boolean asynchronous,
            @Nullable Object skippedValue, List<String> parameterNames, Duration minHold,
            @Nullable ReactiveAdapter reactiveAdapter) {
        this(method, description, name, keyExpressionText, keyExpression, leaseTime, waitTime, whenLocked, autoRenew,
                fencingTokenParameter, fencingTokenKind, asynchronous, skippedValue, parameterNames, minHold,
                reactiveAdapter, LockMode.WRITE);
    }

    /**
     * Checks that the fencing token parameter and its kind agree, and that the policy is resolved.
     * @throws IllegalArgumentException if only one of them says there is a parameter, the policy is
     *     {@link WhenLocked#DEFAULT}, or a multi-key operation has no key expression or a fencing token parameter
     */
    public DistributedLockOperation {
        if (multiKey && (keyExpression == null || fencingTokenParameter >= 0)) {
            throw new IllegalArgumentException("multi-key operation " + description + " needs a key expression and "
                    + "no fencing token parameter");
        }
        if (whenLocked == WhenLocked.DEFAULT) {
            throw new IllegalArgumentException("whenLocked of " + description + " must be resolved, was DEFAULT");
        }
        if ((fencingTokenParameter < 0) != (fencingTokenKind == FencingTokenKind.NONE)) {
            throw new IllegalArgumentException("fencingTokenParameter " + fencingTokenParameter
                    + " does not agree with fencingTokenKind " + fencingTokenKind);
        }
    }

    /**
     * Composes the stored lock key from the prefix, this operation's name and the evaluated key. The name's
     * {@code \\} and {@code :} are escaped, so the first unescaped {@code :} always ends the name: two different
     * (name, key) pairs never give the same stored key, and a name without a key never equals a name with one.
     * @param keyPrefix the application-wide prefix
     * @param evaluatedKey the key for this call, or empty when the operation has no key expression
     * @return the key passed to the lock client
     */
    public String lockKey(String keyPrefix, String evaluatedKey) {
        StringBuilder composed = new StringBuilder(keyPrefix.length() + this.name.length() + evaluatedKey.length() + 8);
        composed.append(keyPrefix);
        for (int i = 0; i < this.name.length(); i++) {
            char c = this.name.charAt(i);
            if (c == '\\' || c == ':') {
                composed.append('\\');
            }
            composed.append(c);
        }
        if (!evaluatedKey.isEmpty()) {
            composed.append(':').append(evaluatedKey);
        }
        return composed.toString();
    }

    /**
     * The type of a {@link io.github.distlock.spring.FencingToken} parameter, which decides what it receives.
     */
    public enum FencingTokenKind {

        /** No parameter receives the fencing token. */
        NONE,

        /** {@code long}: the method needs a lock client whose backend issues fencing tokens. */
        LONG,

        /** {@code Long}: receives {@code null} when the backend issues no fencing tokens. */
        BOXED_LONG,

        /** {@code OptionalLong}: receives an empty value when the backend issues no fencing tokens. */
        OPTIONAL_LONG;

        /**
         * Returns the kind of a parameter of the given type, or {@code null} if the type cannot take a token.
         */
        static @Nullable FencingTokenKind of(Class<?> parameterType) {
            if (parameterType == long.class) {
                return LONG;
            }
            if (parameterType == Long.class) {
                return BOXED_LONG;
            }
            return (parameterType == OptionalLong.class) ? OPTIONAL_LONG : null;
        }

        /**
         * Returns the argument that passes the lease's token to a parameter of this kind.
         */
        @Nullable Object argument(OptionalLong token) {
            if (this == OPTIONAL_LONG) {
                return token;
            }
            return token.isPresent() ? token.getAsLong() : null;
        }

    }

}
