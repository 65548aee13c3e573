package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

import io.github.distlock.spring.WhenLocked;

import org.jspecify.annotations.Nullable;
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
 * @param whenLocked what to do when the lock is held
 * @param autoRenew whether the lease is renewed while the method runs
 * @param fencingTokenParameter the index of the {@code @FencingToken} parameter, or {@code -1}
 * @param asynchronous whether the method returns a {@code CompletionStage} whose completion ends the hold
 * @param parameterNames the method's parameter names, or empty when they are not available
 */
public record DistributedLockOperation(Method method, String description, String name, String keyExpressionText,
        @Nullable Expression keyExpression, Duration leaseTime, Duration waitTime, WhenLocked whenLocked,
        boolean autoRenew, int fencingTokenParameter, boolean asynchronous, List<String> parameterNames) {

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

}
