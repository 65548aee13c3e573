package io.github.distlock.spring.aspectj;

import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.annotation.Pointcut;
import org.aspectj.lang.reflect.MethodSignature;
import org.jspecify.annotations.Nullable;

/**
 * Locks {@link io.github.distlock.spring.DistributedLock} methods in classes woven with this aspect, at compile time
 * (the AspectJ compiler with {@code lock-spring-aspects} on its aspect path) or at load time. Unlike the proxies of
 * the default mode, it locks every execution of a woven method: a call of an object to itself, and methods that are
 * not public.
 *
 * <p>What is woven: every method, of any visibility, static ones included, that carries the annotation itself, and
 * the public methods of a class that carries it. Annotations on interfaces and on the methods of interfaces are not
 * woven (AspectJ matches the declaring class), as with Spring's own AspectJ caching; annotate the class or its
 * methods.
 *
 * <p>The aspect is one instance per class loader, configured by {@link AspectJDistributedLockConfiguration} when an
 * application context with {@code @EnableDistributedLock(mode = AdviceMode.ASPECTJ)} starts, and left when it
 * closes. A woven method called while no context has configured it does not run unlocked: it fails with
 * {@link IllegalStateException} before its body runs. The aspect locks through the last context that configured it.
 * Thread-safe.
 *
 * @since 0.1.0
 */
@Aspect
public class DistributedLockAspect {

    private volatile @Nullable WovenLockSupport support;

    /**
     * Creates the aspect; AspectJ does, once per class loader.
     */
    public DistributedLockAspect() {
    }

    @Pointcut("execution(@io.github.distlock.spring.DistributedLock * *(..))")
    void annotatedMethod() {
    }

    @Pointcut("execution(public * (@io.github.distlock.spring.DistributedLock *).*(..))")
    void publicMethodOfAnnotatedClass() {
    }

    /**
     * Locks one execution of a woven method.
     * @param joinPoint the execution
     * @return the method's result, or the empty value of a skipped call
     * @throws Throwable whatever the method throws, or the lock's exceptions
     */
    @Around("annotatedMethod() || publicMethodOfAnnotatedClass()")
    public @Nullable Object lock(ProceedingJoinPoint joinPoint) throws Throwable {
        WovenLockSupport current = this.support;
        if (current == null) {
            throw new IllegalStateException("@DistributedLock method " + joinPoint.getSignature().toLongString()
                    + " is woven with distlock's DistributedLockAspect, but no application context has configured "
                    + "the aspect (@EnableDistributedLock(mode = AdviceMode.ASPECTJ), or distributed-lock.mode="
                    + "aspectj with Spring Boot); it was not run, so that it never runs unlocked");
        }
        return current.lock(joinPoint, ((MethodSignature) joinPoint.getSignature()).getMethod());
    }

    /**
     * Makes the aspect lock through {@code support}, in place of any earlier one.
     * @param support the support of the application context that starts
     */
    void configure(WovenLockSupport support) {
        this.support = support;
    }

    /**
     * Leaves the aspect unconfigured if it still locks through {@code support}: its context closes.
     * @param support the support of the application context that closes
     */
    void release(WovenLockSupport support) {
        synchronized (this) {
            if (this.support == support) {
                this.support = null;
            }
        }
    }

}
