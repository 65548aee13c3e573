package io.github.distlock.spring.aspectj;

import io.github.distlock.core.LockClient;
import io.github.distlock.spring.AbstractDistributedLockConfiguration;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.interceptor.AnnotationDistributedLockOperationSource;
import io.github.distlock.spring.observation.LockAcquireObservationConvention;
import io.github.distlock.spring.observation.LockHeldObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import org.aspectj.lang.Aspects;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.util.function.SingletonSupplier;

/**
 * The infrastructure beans behind {@code @EnableDistributedLock(mode = AdviceMode.ASPECTJ)}: besides the operation
 * source and the start-up validator, the support that locks woven executions, handed to the
 * {@link DistributedLockAspect} of this class loader for as long as the context lives. No advisor and no proxy.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public class AspectJDistributedLockConfiguration extends AbstractDistributedLockConfiguration {

    @Override
    protected boolean woven() {
        return true;
    }

    /**
     * The support that locks woven executions, observed through the application's {@link ObservationRegistry} when
     * it has one.
     * @param operationSource the operation source
     * @param lockClient the lock client, resolved at the first locked call
     * @param settings the application's settings, if it declares them
     * @param observationRegistry the application's observation registry, if it has one
     * @param acquireConvention the application's acquire convention, if it declares one
     * @param heldConvention the application's held convention, if it declares one
     * @return the support
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public WovenLockSupport distributedLockWovenSupport(AnnotationDistributedLockOperationSource operationSource,
            ObjectProvider<LockClient> lockClient, ObjectProvider<DistributedLockSettings> settings,
            ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<LockAcquireObservationConvention> acquireConvention,
            ObjectProvider<LockHeldObservationConvention> heldConvention) {
        WovenLockSupport support = new WovenLockSupport(operationSource, SingletonSupplier.of(lockClient::getObject),
                settingsSupplier(settings));
        observe(support, observationRegistry, acquireConvention, heldConvention);
        return support;
    }

    /**
     * Configures the aspect of this class loader with the support for as long as the context lives.
     * @param support the support
     * @return what leaves the aspect unconfigured when the context closes
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public AspectConfigured distributedLockAspectConfigured(WovenLockSupport support) {
        DistributedLockAspect aspect = Aspects.aspectOf(DistributedLockAspect.class);
        aspect.configure(support);
        return new AspectConfigured(aspect, support);
    }

    /**
     * The aspect configured with one context's support; destroyed with the context.
     */
    public static final class AspectConfigured implements DisposableBean {

        private final DistributedLockAspect aspect;

        private final WovenLockSupport support;

        AspectConfigured(DistributedLockAspect aspect, WovenLockSupport support) {
            this.aspect = aspect;
            this.support = support;
        }

        /**
         * Returns the configured aspect.
         * @return the aspect
         */
        public DistributedLockAspect aspect() {
            return this.aspect;
        }

        @Override
        public void destroy() {
            this.aspect.release(this.support);
        }

    }

}
