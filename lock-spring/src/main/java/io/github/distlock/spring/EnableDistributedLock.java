package io.github.distlock.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.Import;

/**
 * Enables {@link DistributedLock} in an application without Spring Boot (Boot's auto-configuration does this
 * itself). The application provides a {@link io.github.distlock.core.LockClient} bean and may provide a
 * {@link DistributedLockSettings} bean; without one, {@link DistributedLockSettings#defaults()} apply.
 *
 * <pre>{@code
 * @Configuration
 * @EnableDistributedLock
 * class LockConfig {
 *     @Bean(destroyMethod = "close")
 *     LockEngine lockClient() {
 *         return new LockEngine(new InMemoryLeaseBackend());
 *     }
 * }
 * }</pre>
 *
 * <p>By default locked methods are advised through proxies, so only calls that come through the proxy are locked:
 * a call from the bean to itself ({@code this.charge(order)}) and non-public methods are not intercepted. With
 * {@link #mode() mode = AdviceMode.ASPECTJ}, the AspectJ aspect of {@code io.github.distlock:lock-spring-aspects}
 * locks them instead, in classes woven at compile time or at load time; no proxy is made.
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import(DistributedLockConfigurationSelector.class)
public @interface EnableDistributedLock {

    /**
     * Whether to proxy classes (CGLIB) rather than interfaces. Applies to every auto-proxied bean of the context.
     * @return whether to force class proxies
     */
    boolean proxyTargetClass() default false;

    /**
     * How locked methods are advised: {@link AdviceMode#PROXY} (the default) through Spring AOP proxies, or
     * {@link AdviceMode#ASPECTJ} through the woven aspect of {@code lock-spring-aspects}, which also locks calls
     * from an object to itself and non-public methods. {@link #proxyTargetClass()} applies to proxies only.
     * @return the advice mode
     */
    AdviceMode mode() default AdviceMode.PROXY;

}
