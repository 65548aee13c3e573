package io.github.distlock.spring;

import java.util.function.Supplier;

import io.github.distlock.spring.interceptor.AnnotationDistributedLockOperationSource;
import io.github.distlock.spring.interceptor.DistributedLockAspectSupport;
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
 * The infrastructure beans that both advice modes of {@link EnableDistributedLock} share: the operation source and
 * the start-up validator. A subclass adds the one {@link DistributedLockAspectSupport} of its mode (the proxies'
 * interceptor, or the support of the woven aspect) and whatever applies it.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public abstract class AbstractDistributedLockConfiguration {

    /**
     * The operation source: reads and caches {@link DistributedLock} operations.
     * @param settings the application's settings, if it declares them
     * @return the operation source
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public AnnotationDistributedLockOperationSource distributedLockOperationSource(
            ObjectProvider<DistributedLockSettings> settings) {
        AnnotationDistributedLockOperationSource source = new AnnotationDistributedLockOperationSource(
                settingsSupplier(settings));
        source.setWoven(woven());
        return source;
    }

    /**
     * Says whether this mode's locked methods are woven by AspectJ rather than reached through proxies.
     * @return {@code false} here; the AspectJ mode's configuration says {@code true}
     */
    protected boolean woven() {
        return false;
    }

    /**
     * Checks every locked method of every bean at creation, and once the singletons are instantiated, that the lock
     * client can serve them.
     * @param operationSource the operation source
     * @param aspectSupport the mode's interceptor or aspect support, whose lock client is asked after the singletons
     *     are instantiated
     * @return the validator
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public static DistributedLockStartupValidator distributedLockStartupValidator(
            ObjectProvider<AnnotationDistributedLockOperationSource> operationSource,
            ObjectProvider<DistributedLockAspectSupport> aspectSupport) {
        return new DistributedLockStartupValidator(SingletonSupplier.of(operationSource::getObject),
                SingletonSupplier.of(aspectSupport::getObject));
    }

    /**
     * Observes the locked calls of {@code aspectSupport} through the application's {@link ObservationRegistry} when
     * it has one, resolved at the first locked call, so the registry's own configuration may come later.
     * @param aspectSupport the interceptor or aspect support
     * @param observationRegistry the application's observation registry, if it has one
     * @param acquireConvention the application's acquire convention, if it declares one
     * @param heldConvention the application's held convention, if it declares one
     */
    protected static void observe(DistributedLockAspectSupport aspectSupport,
            ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<LockAcquireObservationConvention> acquireConvention,
            ObjectProvider<LockHeldObservationConvention> heldConvention) {
        aspectSupport.setObservationRegistry(() -> observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
        aspectSupport.setAcquireObservationConvention(acquireConvention::getIfUnique);
        aspectSupport.setHeldObservationConvention(heldConvention::getIfUnique);
    }

    /**
     * Returns the application's settings, or the defaults, resolved at the first use.
     * @param settings the application's settings, if it declares them
     * @return the supplier
     */
    protected static Supplier<DistributedLockSettings> settingsSupplier(
            ObjectProvider<DistributedLockSettings> settings) {
        return SingletonSupplier.of(() -> settings.getIfAvailable(DistributedLockSettings::defaults));
    }

}
