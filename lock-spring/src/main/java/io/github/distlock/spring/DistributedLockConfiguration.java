package io.github.distlock.spring;

import io.github.distlock.core.LockClient;
import io.github.distlock.spring.interceptor.AnnotationDistributedLockOperationSource;
import io.github.distlock.spring.interceptor.DistributedLockAdvisor;
import io.github.distlock.spring.interceptor.DistributedLockInterceptor;
import io.github.distlock.spring.interceptor.DistributedLockStartupValidator;
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
 * The infrastructure beans behind {@link EnableDistributedLock}: the operation source, the start-up validator, the
 * interceptor and the advisor. The lock client and settings are looked up lazily, so that a backend's connections
 * are not created while post-processors are being set up.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public class DistributedLockConfiguration {

    /**
     * The operation source: reads and caches {@link DistributedLock} operations.
     * @param settings the application's settings, if it declares them
     * @return the operation source
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public AnnotationDistributedLockOperationSource distributedLockOperationSource(
            ObjectProvider<DistributedLockSettings> settings) {
        return new AnnotationDistributedLockOperationSource(settingsSupplier(settings));
    }

    /**
     * Checks every locked method of every bean at creation, and once the singletons are instantiated, that the lock
     * client can serve them.
     * @param operationSource the operation source
     * @param interceptor the interceptor, whose lock client is asked after the singletons are instantiated
     * @return the validator
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public static DistributedLockStartupValidator distributedLockStartupValidator(
            ObjectProvider<AnnotationDistributedLockOperationSource> operationSource,
            ObjectProvider<DistributedLockInterceptor> interceptor) {
        return new DistributedLockStartupValidator(SingletonSupplier.of(operationSource::getObject),
                SingletonSupplier.of(interceptor::getObject));
    }

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
        interceptor.setObservationRegistry(() -> observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
        interceptor.setAcquireObservationConvention(acquireConvention::getIfUnique);
        interceptor.setHeldObservationConvention(heldConvention::getIfUnique);
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
        SingletonSupplier<DistributedLockSettings> resolved = settingsSupplier(settings);
        DistributedLockAdvisor advisor = new DistributedLockAdvisor(operationSource,
                () -> resolved.get().advisorOrder());
        advisor.setAdvice(interceptor);
        return advisor;
    }

    private static SingletonSupplier<DistributedLockSettings> settingsSupplier(
            ObjectProvider<DistributedLockSettings> settings) {
        return SingletonSupplier.of(() -> settings.getIfAvailable(DistributedLockSettings::defaults));
    }

}
