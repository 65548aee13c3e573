package io.github.distlock.autoconfigure;

import java.util.Map;

import io.github.distlock.core.engine.LockEngine;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The operator's view of the locks when Spring Boot's actuator is present: the {@code distributedlocks} endpoint
 * (available when {@code management.endpoints.access} allows it, exposed over the web only when
 * {@code management.endpoints.web.exposure.include} names it) and the {@code distributedLock} health indicator
 * ({@code management.health.distributedlock.enabled}, on by default). Both describe the engine of
 * {@link DistributedLockAutoConfiguration}; an application with its own lock client gets neither.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnBean(LockEngine.class)
public final class DistributedLockActuatorAutoConfiguration {

    // The backends' configurations declare how to ask them; a backend of the application's own has none.
    private static LockBackendStatus status(ObjectProvider<LockBackendStatus> status) {
        return status.getIfUnique(() -> LockBackendStatus.answering(Map.of()));
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        DistributedLocksEndpoint distributedLocksEndpoint(LockEngine engine, ObjectProvider<LockBackendStatus> status) {
            return new DistributedLocksEndpoint(engine, status(status));
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {

        // On the method, not the class: a class's conditions are all loaded before any is evaluated, and this one's
        // condition class is missing without spring-boot-health.
        @Bean
        @ConditionalOnEnabledHealthIndicator("distributedlock")
        @ConditionalOnMissingBean(name = "distributedLockHealthIndicator")
        DistributedLockHealthIndicator distributedLockHealthIndicator(LockEngine engine,
                ObjectProvider<LockBackendStatus> status) {
            return new DistributedLockHealthIndicator(engine.backendName(), status(status));
        }

    }

}
