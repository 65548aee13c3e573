package io.github.distlock.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

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
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import({ DistributedLockProxyRegistrar.class, DistributedLockConfiguration.class })
public @interface EnableDistributedLock {

    /**
     * Whether to proxy classes (CGLIB) rather than interfaces. Applies to every auto-proxied bean of the context.
     * @return whether to force class proxies
     */
    boolean proxyTargetClass() default false;

}
