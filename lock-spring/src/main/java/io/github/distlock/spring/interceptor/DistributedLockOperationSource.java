package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * Finds the lock operation of a method, if it has one. {@link #findOperation} answers are cached by implementations,
 * misses included; {@link #hasOperation} is the cheaper question for matching methods, which stores no misses.
 *
 * @since 0.1.0
 */
public interface DistributedLockOperationSource {

    /**
     * Returns whether the method has a lock operation, without necessarily building it. The pointcut asks this about
     * every public method of every candidate bean, so an implementation should answer without parsing and without
     * caching a miss. A method for which this returns {@code true} may still fail {@link #findOperation} when its
     * annotation is invalid. The default builds the operation.
     * @param method the method (possibly an interface method)
     * @param targetClass the target class, or {@code null} if unknown
     * @return whether {@link #findOperation} would find an operation (or fail on an invalid one)
     */
    default boolean hasOperation(Method method, @Nullable Class<?> targetClass) {
        return findOperation(method, targetClass) != null;
    }

    /**
     * Returns the operation for the method as invoked on the target class.
     * @param method the invoked method (possibly an interface method)
     * @param targetClass the target class, or {@code null} if unknown
     * @return the operation, or {@code null} if the method is not locked
     * @throws IllegalStateException if the method's annotation is invalid (the message names the method)
     */
    @Nullable DistributedLockOperation findOperation(Method method, @Nullable Class<?> targetClass);

}
