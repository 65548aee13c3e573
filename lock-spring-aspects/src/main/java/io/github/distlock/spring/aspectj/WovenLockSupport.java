package io.github.distlock.spring.aspectj;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.function.Supplier;

import io.github.distlock.core.LockClient;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.interceptor.DistributedLockAspectSupport;
import io.github.distlock.spring.interceptor.DistributedLockOperationSource;
import org.aspectj.lang.ProceedingJoinPoint;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * The lock behaviour of {@link DistributedLockAspect}: the same {@link DistributedLockAspectSupport} as the proxies'
 * interceptor, fed with the woven execution instead of a method invocation. Thread-safe.
 *
 * @since 0.1.0
 */
public final class WovenLockSupport extends DistributedLockAspectSupport {

    /**
     * Creates the support.
     * @param operationSource finds the operation of a method
     * @param lockClient supplies the lock client, resolved at the first call
     * @param settings supplies the key prefix and the lease-lost policy
     */
    public WovenLockSupport(DistributedLockOperationSource operationSource, Supplier<LockClient> lockClient,
            Supplier<DistributedLockSettings> settings) {
        super(operationSource, lockClient, settings);
    }

    @Nullable Object lock(ProceedingJoinPoint joinPoint, Method method) throws Throwable {
        Object target = joinPoint.getTarget();
        // A static method has no target: its operation is found from its own class, as for a proxy without one.
        Class<?> targetClass = (target != null && !Modifier.isStatic(method.getModifiers()))
                ? ClassUtils.getUserClass(target) : method.getDeclaringClass();
        Object[] args = joinPoint.getArgs();
        return execute(new Invoker() {

            @Override
            public @Nullable Object proceed() throws Throwable {
                // The arguments as execute left them: a @FencingToken parameter holds the lease's token.
                return joinPoint.proceed(args);
            }

            @Override
            public @Nullable Object proceedAgain(Object[] arguments) throws Throwable {
                return joinPoint.proceed(arguments);
            }

        }, method, target, targetClass, args);
    }

}
