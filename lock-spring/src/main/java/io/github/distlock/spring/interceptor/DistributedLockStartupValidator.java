package io.github.distlock.spring.interceptor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.github.distlock.core.LockMode;
import io.github.distlock.spring.interceptor.DistributedLockOperation.FencingTokenKind;

import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;

/**
 * Checks every {@code @DistributedLock} of a bean when the bean is created, so that an invalid expression or
 * duration, a key that could not identify the call, or an annotation that can never take effect (private, static
 * or final method; a reactive return type that cannot be locked, or a suspend function, whose work would run after
 * the lock is released)
 * fails the application's start-up with the method in the message instead of failing (or silently not locking) at
 * the first call.
 *
 * <p>Once the singletons are instantiated, it also checks that the lock client can serve the operations it saw: a
 * {@code long @FencingToken} parameter over a backend without fencing tokens, and {@code mode = READ} over a backend
 * without shared leases, fail start-up, naming the bean, the method, the parameter or attribute, and the backend. The lock client is not looked up before then, and not at all when no
 * operation needs it. An operation met later (a bean created lazily) is checked by the interceptor at its first
 * call. Thread-safe.
 *
 * @since 0.1.0
 */
public class DistributedLockStartupValidator implements BeanPostProcessor, SmartInitializingSingleton {

    private final Supplier<AnnotationDistributedLockOperationSource> operationSource;

    private final Supplier<? extends DistributedLockAspectSupport> aspect;

    // Set on a thread while it resolves the operation source, so that the beans made for it are not checked.
    private final ThreadLocal<@Nullable Boolean> resolvingOperationSource = new ThreadLocal<>();

    // Added to by bean creation until the singletons are instantiated, then checked and emptied by
    // afterSingletonsInstantiated; guarded by itself, as is singletonsInstantiated.
    private final List<CheckAtStartup> needCapabilities = new ArrayList<>();

    // Set once by afterSingletonsInstantiated: operations met later are checked by the interceptor at the first call.
    private boolean singletonsInstantiated;

    /**
     * Creates the validator.
     * @param operationSource the source whose cache the validated operations fill, resolved at the first bean
     * @param aspect the interceptor whose lock client the operations need, resolved once the singletons are
     *     instantiated and only if an operation needs a capability of the client
     */
    public DistributedLockStartupValidator(Supplier<AnnotationDistributedLockOperationSource> operationSource,
            Supplier<? extends DistributedLockAspectSupport> aspect) {
        this.operationSource = operationSource;
        this.aspect = aspect;
    }

    private AnnotationDistributedLockOperationSource operationSource() {
        this.resolvingOperationSource.set(Boolean.TRUE);
        try {
            return this.operationSource.get();
        }
        finally {
            this.resolvingOperationSource.remove();
        }
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
        if (this.resolvingOperationSource.get() != null) {
            // Made on the way to the operation source (its configuration and what that needs): infrastructure that
            // cannot be checked with a source that does not exist yet, and has no locked methods.
            return bean;
        }
        Class<?> beanClass = ClassUtils.getUserClass(AopUtils.getTargetClass(bean));
        List<DistributedLockOperation> operations;
        try {
            operations = operationSource().validate(beanClass);
        }
        catch (IllegalStateException ex) {
            throw new BeanInitializationException("Invalid @DistributedLock in bean '" + beanName + "': "
                    + ex.getMessage(), ex);
        }
        for (DistributedLockOperation operation : operations) {
            if (operation.fencingTokenKind() == FencingTokenKind.LONG || operation.mode() == LockMode.READ) {
                synchronized (this.needCapabilities) {
                    if (!this.singletonsInstantiated) {
                        this.needCapabilities.add(new CheckAtStartup(beanName, operation));
                    }
                }
            }
        }
        return bean;
    }

    /**
     * Fails start-up if the lock client cannot serve an operation of a bean created so far.
     * @throws BeanInitializationException naming the bean, the method, the parameter and the backend
     */
    @Override
    public void afterSingletonsInstantiated() {
        List<CheckAtStartup> checks;
        synchronized (this.needCapabilities) {
            this.singletonsInstantiated = true;
            checks = List.copyOf(this.needCapabilities);
            this.needCapabilities.clear();
        }
        if (checks.isEmpty()) {
            return;
        }
        DistributedLockAspectSupport aspect = this.aspect.get();
        for (CheckAtStartup check : checks) {
            String problem = aspect.whyTheLockClientCannotServe(check.operation());
            if (problem != null) {
                throw new BeanInitializationException("Invalid @DistributedLock in bean '" + check.beanName() + "': "
                        + problem);
            }
        }
    }

    private record CheckAtStartup(String beanName, DistributedLockOperation operation) {
    }

}
