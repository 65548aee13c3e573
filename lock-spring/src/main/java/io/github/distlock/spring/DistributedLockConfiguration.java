package io.github.distlock.spring;

import java.util.function.Supplier;

import io.github.distlock.core.LockClient;
import io.github.distlock.spring.interceptor.AnnotationDistributedLockOperationSource;
import io.github.distlock.spring.interceptor.DistributedLockAdvisor;
import io.github.distlock.spring.interceptor.DistributedLockInterceptor;
import io.github.distlock.spring.observation.LockAcquireObservationConvention;
import io.github.distlock.spring.observation.LockHeldObservationConvention;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.util.function.SingletonSupplier;

/**
 * The infrastructure beans behind {@link EnableDistributedLock} in its proxy mode: besides the operation source and
 * the start-up validator of {@link AbstractDistributedLockConfiguration}, the interceptor and the advisor. The lock client and settings are looked up lazily, so that a backend's connections
 * are not created while post-processors are being set up.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public class DistributedLockConfiguration extends AbstractDistributedLockConfiguration {

    /**
     * The interceptor that takes and releases locks, observed through the application's
     * {@link ObservationRegistry} when it has one (resolved at the first locked call, so the registry's own
     * configuration may come later).
     * @param operationSource the operation source
     * @param lockClient the lock client, resolved at the first locked call
     * @param settings the application's settings, if it declares them
     * @param observationRegistry the application's observation registry, if it has one
     * @param acquireConvention the application's acquire convention, if it declares one
     * @param heldConvention the application's held convention, if it declares one
     * @return the interceptor
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public DistributedLockInterceptor distributedLockInterceptor(
            AnnotationDistributedLockOperationSource operationSource, ObjectProvider<LockClient> lockClient,
            ObjectProvider<DistributedLockSettings> settings, ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<LockAcquireObservationConvention> acquireConvention,
            ObjectProvider<LockHeldObservationConvention> heldConvention) {
        DistributedLockInterceptor interceptor = new DistributedLockInterceptor(operationSource,
                SingletonSupplier.of(lockClient::getObject), settingsSupplier(settings));
        observe(interceptor, observationRegistry, acquireConvention, heldConvention);
        return interceptor;
    }

    /**
     * The advisor that applies the interceptor to locked methods, ordered by
     * {@link DistributedLockSettings#advisorOrder()}.
     * @param operationSource the operation source
     * @param interceptor the interceptor
     * @param settings the application's settings, if it declares them
     * @return the advisor
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public DistributedLockAdvisor distributedLockAdvisor(AnnotationDistributedLockOperationSource operationSource,
            DistributedLockInterceptor interceptor, ObjectProvider<DistributedLockSettings> settings) {
        Supplier<DistributedLockSettings> resolved = settingsSupplier(settings);
        DistributedLockAdvisor advisor = new DistributedLockAdvisor(operationSource,
                () -> resolved.get().advisorOrder());
        advisor.setAdvice(interceptor);
        return advisor;
    }

}
