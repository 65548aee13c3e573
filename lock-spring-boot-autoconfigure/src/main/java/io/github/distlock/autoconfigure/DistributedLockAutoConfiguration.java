package io.github.distlock.autoconfigure;

import io.github.distlock.core.LockClient;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.EnableDistributedLock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;

/**
 * Auto-configuration of distributed locks: {@link io.github.distlock.spring.DistributedLock} methods are proxied
 * and locked through a {@link LockEngine} over the {@link LeaseBackend} chosen by {@code distributed-lock.backend}
 * (or detected when it is not set).
 *
 * <p>Every bean backs off when the application declares its own: a {@link LeaseBackend} bean replaces the chosen
 * backend, a {@link LockClient} bean replaces the engine and the backend, and {@link DistributedLockSettings} or
 * {@link LockEngineSettings} beans replace the ones built from the properties. An application that also declares
 * {@link EnableDistributedLock} gets one advisor, not two. Setting {@code distributed-lock.enabled=false} turns all
 * of it off.
 *
 * @since 0.1.0
 */
// After the DataSource auto-configuration, so that the JDBC backend can be detected by the application's DataSource,
// and after Spring Boot's Redis, whose connection details the Redis backend adapts.
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration" })
@ConditionalOnProperty(prefix = DistributedLockProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties
public final class DistributedLockAutoConfiguration {

    // The lock advisor reads the settings while the bean post-processors are still being registered. Static methods
    // and the infrastructure role keep the properties, the settings and this class out of that phase's warnings
    // ("not eligible for getting processed by all BeanPostProcessors"); none of them needs post-processing.
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static DistributedLockProperties distributedLockProperties() {
        return new DistributedLockProperties();
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean
    static DistributedLockSettings distributedLockSettings(DistributedLockProperties properties) {
        return SettingsFromProperties.build(DistributedLockProperties.PREFIX,
                SettingsFromProperties.names("defaultLeaseTime", "lease-time", "defaultWaitTime", "wait-time",
                        "maxWaitTime", "max-wait-time", "keyPrefix", "key-prefix", "onLeaseLost", "on-lease-lost"),
                () -> new DistributedLockSettings(properties.getLeaseTime(), properties.getWaitTime(),
                        properties.getMaxWaitTime(), properties.getKeyPrefix(), properties.getOrder(),
                        properties.getOnLeaseLost()));
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(LockClient.class)
    @Import(LockBackendConfigurationImportSelector.class)
    static class LockEngineConfiguration {

        @Bean
        @ConditionalOnMissingBean
        LockEngineSettings lockEngineSettings(DistributedLockProperties properties) {
            LockEngineSettings defaults = LockEngineSettings.defaults();
            return SettingsFromProperties.build(DistributedLockProperties.PREFIX,
                    SettingsFromProperties.names("renewalRatio", "renewal.ratio", "renewalThreads", "renewal.threads",
                            "initialBackoff", "backoff.initial", "maxBackoff", "backoff.max"),
                    () -> new LockEngineSettings(properties.getRenewal().getRatio(), defaults.clockDriftFactor(),
                            defaults.clockDriftMinimum(), properties.getBackoff().getInitial(),
                            properties.getBackoff().getMax(), properties.getRenewal().getThreads()));
        }

        // The backend is a bean of its own, closed by the context after the engine that uses it (it is created
        // first, while this method asks for it).
        @Bean(destroyMethod = "close")
        LockEngine distributedLockClient(ObjectProvider<LeaseBackend> leaseBackend,
                LockEngineSettings lockEngineSettings, DistributedLockProperties properties) {
            LeaseBackend backend = leaseBackend.getIfAvailable();
            if (backend == null) {
                // Only a chosen backend whose libraries are missing leaves none: in-memory is the last fallback.
                LockBackendType chosen = properties.getBackend();
                throw new InvalidConfigurationPropertyValueException(LockBackendCondition.PROPERTY, chosen,
                        "needs " + ((chosen != null) ? chosen.libraries() : "its libraries") + " on the classpath");
            }
            return new LockEngine(backend, lockEngineSettings);
        }

        // A MeterBinder bean: Spring Boot's metrics binds it to every registry it configures.
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
        static class LockMetersConfiguration {

            @Bean
            @ConditionalOnMissingBean
            DistributedLockMeters distributedLockMeters(LockEngine distributedLockClient) {
                return new DistributedLockMeters(distributedLockClient);
            }

        }

    }

    // Boot proxies classes unless spring.aop.proxy-target-class=false; the lock proxies follow the same setting.
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = DistributedLockProperties.PREFIX, name = "mode", havingValue = "proxy",
            matchIfMissing = true)
    @ConditionalOnProperty(name = "spring.aop.proxy-target-class", havingValue = "true", matchIfMissing = true)
    @EnableDistributedLock(proxyTargetClass = true)
    static class ClassProxyingConfiguration {

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = DistributedLockProperties.PREFIX, name = "mode", havingValue = "proxy",
            matchIfMissing = true)
    @ConditionalOnProperty(name = "spring.aop.proxy-target-class", havingValue = "false")
    @EnableDistributedLock
    static class InterfaceProxyingConfiguration {

    }

    // The woven aspect of lock-spring-aspects; without that module, start-up fails saying so.
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = DistributedLockProperties.PREFIX, name = "mode", havingValue = "aspectj")
    @EnableDistributedLock(mode = AdviceMode.ASPECTJ)
    static class AspectJConfiguration {

    }

}
