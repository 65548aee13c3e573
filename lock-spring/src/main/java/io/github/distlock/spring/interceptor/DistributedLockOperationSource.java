package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * Finds the lock operation of a method, if it has one. Implementations cache their answers, misses included.
 */
public interface DistributedLockOperationSource {

    /**
     * Returns the operation for the method as invoked on the target class.
     * @param method the invoked method (possibly an interface method)
     * @param targetClass the target class, or {@code null} if unknown
     * @return the operation, or {@code null} if the method is not locked
     * @throws IllegalStateException if the method's annotation is invalid (the message names the method)
     */
    @Nullable DistributedLockOperation findOperation(Method method, @Nullable Class<?> targetClass);

}
