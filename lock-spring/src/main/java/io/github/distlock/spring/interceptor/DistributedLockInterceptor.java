package io.github.distlock.spring.interceptor;

import java.util.function.Supplier;

import io.github.distlock.core.LockClient;
import io.github.distlock.spring.DistributedLockSettings;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;

/**
 * The AOP Alliance interceptor that locks {@link io.github.distlock.spring.DistributedLock} methods; the behaviour
 * is in {@link DistributedLockAspectSupport}. Calls on a proxy without a target object are locked as well.
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class DistributedLockInterceptor extends DistributedLockAspectSupport implements MethodInterceptor {

    /**
     * Creates the interceptor.
     * @param operationSource finds the operation of a method
     * @param lockClient supplies the lock client, resolved at the first call
     * @param settings supplies the key prefix and the lease-lost policy
     */
    public DistributedLockInterceptor(DistributedLockOperationSource operationSource, Supplier<LockClient> lockClient,
            Supplier<DistributedLockSettings> settings) {
        super(operationSource, lockClient, settings);
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        // A proxy without a target (its last advice answers the call) is locked too: an annotated method never
        // runs unlocked. Its operation is then found from the invoked method's own class.
        Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target)
                : invocation.getMethod().getDeclaringClass();
        return execute(new Invoker() {

            @Override
            public @Nullable Object proceed() throws Throwable {
                return invocation.proceed();
            }

            @Override
            public @Nullable Object proceedAgain(Object[] arguments) throws Throwable {
                // A clone continues with the interceptors after this one, as often as there are subscriptions.
                if (invocation instanceof ProxyMethodInvocation proxied) {
                    return proxied.invocableClone(arguments).proceed();
                }
                return Invoker.super.proceedAgain(arguments);
            }

        }, invocation.getMethod(), target, targetClass, invocation.getArguments());
    }

}
