package io.github.distlock.spring.interceptor;

import java.util.function.Supplier;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;

/**
 * Checks every {@code @DistributedLock} of a bean when the bean is created, so that an invalid expression or
 * duration, a key that could not identify the call, or an annotation that can never take effect (private, static
 * or final method; a reactive return type or a suspend function, whose work would run after the lock is released)
 * fails the application's start-up with the method in the message instead of failing (or silently not locking) at
 * the first call.
 */
public class DistributedLockStartupValidator implements BeanPostProcessor {

    private final Supplier<AnnotationDistributedLockOperationSource> operationSource;

    /**
     * Creates the validator.
     * @param operationSource the source whose cache the validated operations fill, resolved at the first bean
     */
    public DistributedLockStartupValidator(Supplier<AnnotationDistributedLockOperationSource> operationSource) {
        this.operationSource = operationSource;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
        Class<?> beanClass = ClassUtils.getUserClass(AopUtils.getTargetClass(bean));
        try {
            this.operationSource.get().validate(beanClass);
        }
        catch (IllegalStateException ex) {
            throw new BeanInitializationException("Invalid @DistributedLock in bean '" + beanName + "': "
                    + ex.getMessage(), ex);
        }
        return bean;
    }

}
