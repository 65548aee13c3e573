package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.util.function.IntSupplier;

import io.github.distlock.spring.DistributedLock;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * The advisor that applies {@link DistributedLockInterceptor} to methods that have a lock operation. Registered as
 * an infrastructure bean, so Spring's infrastructure auto-proxy creator applies it without an AspectJ weaver.
 *
 * @since 0.1.0
 */
public class DistributedLockAdvisor extends AbstractBeanFactoryPointcutAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient Pointcut pointcut;

    private final transient IntSupplier order;

    /**
     * Creates the advisor.
     * @param operationSource decides which methods are locked
     * @param order supplies the advisor's order when it is first needed, so that reading the settings does not
     *     create beans while post-processors are still being registered
     */
    public DistributedLockAdvisor(DistributedLockOperationSource operationSource, IntSupplier order) {
        this.order = order;
        this.pointcut = new StaticMethodMatcherPointcut() {

            {
                setClassFilter(candidate -> AnnotationUtils.isCandidateClass(candidate, DistributedLock.class));
            }

            // Asked about every public method of every candidate bean: hasOperation reads annotations only, so
            // the operation cache keeps no entry for a method that is not locked.
            @Override
            public boolean matches(Method method, Class<?> targetClass) {
                return operationSource.hasOperation(method, targetClass);
            }

        };
    }

    @Override
    public int getOrder() {
        return this.order.getAsInt();
    }

    @Override
    public Pointcut getPointcut() {
        return this.pointcut;
    }

}
