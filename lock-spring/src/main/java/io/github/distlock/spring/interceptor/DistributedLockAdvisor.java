package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;

import io.github.distlock.spring.DistributedLock;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * The advisor that applies {@link DistributedLockInterceptor} to methods that have a lock operation. Registered as
 * an infrastructure bean, so Spring's infrastructure auto-proxy creator applies it without an AspectJ weaver.
 */
public class DistributedLockAdvisor extends AbstractBeanFactoryPointcutAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient Pointcut pointcut;

    /**
     * Creates the advisor.
     * @param operationSource decides which methods are locked
     */
    public DistributedLockAdvisor(DistributedLockOperationSource operationSource) {
        this.pointcut = new StaticMethodMatcherPointcut() {

            {
                setClassFilter(candidate -> AnnotationUtils.isCandidateClass(candidate, DistributedLock.class));
            }

            @Override
            public boolean matches(Method method, Class<?> targetClass) {
                return operationSource.findOperation(method, targetClass) != null;
            }

        };
    }

    @Override
    public Pointcut getPointcut() {
        return this.pointcut;
    }

}
