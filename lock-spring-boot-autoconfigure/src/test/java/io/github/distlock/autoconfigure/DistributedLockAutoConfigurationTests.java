package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.EnableDistributedLock;
import io.github.distlock.spring.LeaseLostAction;
import io.github.distlock.spring.LockContext;
import io.github.distlock.spring.interceptor.DistributedLockAdvisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.UnifiedJedis;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class DistributedLockAutoConfigurationTests {

    private static final String DETECTION_WARNING = "using the in-memory backend";

    // These tests are about the engine and the advisor, so they choose the in-memory backend; Redis, on this
    // classpath, would otherwise be detected (RedisBackendConfigurationTests covers that).
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
        .withPropertyValues("distributed-lock.backend=in-memory");

    // A filtered class loader cannot define proxies of package-private classes, so only detection tests use it.
    private final ApplicationContextRunner withoutRedisRunner = new ApplicationContextRunner()
        .withClassLoader(new FilteredClassLoader(RedisLeaseBackend.class, UnifiedJedis.class))
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

    @Test
    void withoutABackendLibraryTheDefaultIsALockEngineOverTheInMemoryBackendWithAWarning(CapturedOutput output) {
        this.withoutRedisRunner.run(context -> {
            assertThat(context).hasSingleBean(LockClient.class).hasSingleBean(DistributedLockAdvisor.class);
            assertThat(context).getBean(LockClient.class).isInstanceOf(LockEngine.class);
            assertThat(context).getBean(LeaseBackend.class).isInstanceOf(InMemoryLeaseBackend.class);
            assertThat(context.getBean(LockClient.class).backendName()).isEqualTo("in-memory");
        });
        assertThat(output).contains(DETECTION_WARNING);
    }

    @Test
    void noBeanIsCreatedTooEarlyForThePostProcessors(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(InventoryConfiguration.class)
            .run(context -> assertThat(context).hasNotFailed());
        assertThat(output).doesNotContain("not eligible for getting processed by all BeanPostProcessors");
    }

    @Test
    void explicitInMemoryBackendIsUsedWithoutAWarning(CapturedOutput output) {
        this.withoutRedisRunner.withPropertyValues("distributed-lock.backend=in-memory")
            .run(context -> assertThat(context).getBean(LeaseBackend.class).isInstanceOf(InMemoryLeaseBackend.class));
        assertThat(output).doesNotContain(DETECTION_WARNING);
    }

    @Test
    void disabledGivesNoLockClientAndNoAdvisor() {
        this.contextRunner.withPropertyValues("distributed-lock.enabled=false")
            .run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(LockClient.class)
                .doesNotHaveBean(LeaseBackend.class)
                .doesNotHaveBean(DistributedLockAdvisor.class)
                .doesNotHaveBean(DistributedLockProperties.class));
    }

    @Test
    void userLeaseBackendWinsOverTheChosenBackend() {
        this.contextRunner.withUserConfiguration(UserLeaseBackendConfiguration.class)
            .withPropertyValues("distributed-lock.backend=in-memory")
            .run(context -> {
                assertThat(context).hasSingleBean(LeaseBackend.class).hasBean("userLeaseBackend");
                assertThat(context).getBean(LockClient.class).isInstanceOf(LockEngine.class);
            });
    }

    @Test
    void userLockClientWinsOverEngineAndBackend() {
        this.contextRunner.withUserConfiguration(UserLockClientConfiguration.class)
            .run(context -> assertThat(context).hasSingleBean(LockClient.class)
                .hasBean("userLockClient")
                .doesNotHaveBean(LeaseBackend.class)
                .doesNotHaveBean(LockEngineSettings.class)
                .hasSingleBean(DistributedLockAdvisor.class));
    }

    @Test
    void userSettingsWinOverProperties() {
        this.contextRunner.withUserConfiguration(UserSettingsConfiguration.class)
            .withPropertyValues("distributed-lock.order=42", "distributed-lock.renewal.ratio=0.4")
            .run(context -> {
                assertThat(context.getBean(DistributedLockAdvisor.class).getOrder()).isEqualTo(7);
                assertThat(context.getBean(LockEngine.class).settings()).isEqualTo(LockEngineSettings.defaults());
            });
    }

    @Test
    void defaultsAreTheLibraryDefaults() {
        this.contextRunner.run(context -> {
            assertThat(context.getBean(DistributedLockSettings.class)).isEqualTo(DistributedLockSettings.defaults());
            assertThat(context.getBean(LockEngine.class).settings()).isEqualTo(LockEngineSettings.defaults());
            assertThat(context.getBean(DistributedLockAdvisor.class).getOrder())
                .isEqualTo(DistributedLockSettings.DEFAULT_ADVISOR_ORDER);
        });
    }

    @Test
    void propertiesReachDistributedLockSettings() {
        this.contextRunner
            .withPropertyValues("distributed-lock.lease-time=1m", "distributed-lock.wait-time=2s",
                    "distributed-lock.max-wait-time=3m", "distributed-lock.key-prefix=shop:",
                    "distributed-lock.order=42", "distributed-lock.on-lease-lost=log")
            .run(context -> assertThat(context.getBean(DistributedLockSettings.class))
                .isEqualTo(new DistributedLockSettings(Duration.ofMinutes(1), Duration.ofSeconds(2),
                        Duration.ofMinutes(3), "shop:", 42, LeaseLostAction.LOG)));
    }

    @Test
    void propertiesReachTheEngine() {
        this.contextRunner
            .withPropertyValues("distributed-lock.renewal.ratio=0.4", "distributed-lock.renewal.threads=2",
                    "distributed-lock.backoff.initial=20ms", "distributed-lock.backoff.max=1s")
            .run(context -> assertThat(context.getBean(LockEngine.class).settings())
                .isSameAs(context.getBean(LockEngineSettings.class))
                .isEqualTo(LockEngineSettings.defaults()
                    .withRenewalRatio(0.4)
                    .withRenewalThreads(2)
                    .withBackoff(Duration.ofMillis(20), Duration.ofSeconds(1))));
    }

    @Test
    void orderPropertyReachesTheAdvisor() {
        this.contextRunner.withPropertyValues("distributed-lock.order=42")
            .run(context -> assertThat(context.getBean(DistributedLockAdvisor.class).getOrder()).isEqualTo(42));
    }

    @Test
    void engineIsClosedWithTheContext() {
        this.contextRunner.run(context -> assertThat(((AbstractBeanDefinition) context.getBeanFactory()
            .getBeanDefinition("distributedLockClient")).getDestroyMethodNames()).containsExactly("close"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            lease-time=-1s          | distributed-lock.lease-time
            lease-time=0s           | distributed-lock.lease-time
            lease-time=abc          | distributed-lock.lease-time
            wait-time=-1ms          | distributed-lock.wait-time
            wait-time=11m           | distributed-lock.wait-time
            max-wait-time=1s        | distributed-lock.wait-time
            max-wait-time=-1s       | distributed-lock.max-wait-time
            renewal.ratio=0         | distributed-lock.renewal.ratio
            renewal.ratio=1         | distributed-lock.renewal.ratio
            renewal.ratio=0.5       | distributed-lock.renewal.ratio
            renewal.ratio=1.5       | distributed-lock.renewal.ratio
            renewal.threads=0       | distributed-lock.renewal.threads
            backoff.initial=0ms     | distributed-lock.backoff.initial
            backoff.max=5ms         | distributed-lock.backoff.max
            on-lease-lost=ignore    | distributed-lock.on-lease-lost
            backend=carrier-pigeon  | distributed-lock.backend
            """)
    void invalidValueFailsStartUpNamingTheProperty(String setting, String property) {
        this.contextRunner.withPropertyValues("distributed-lock." + setting).run(context -> {
            assertThat(context).hasFailed();
            assertThat(propertyNamedBy(context.getStartupFailure())).hasValue(property);
        });
    }

    @Test
    void annotatedBeanIsProxiedAndLockedWithoutAopAutoConfiguration() {
        this.contextRunner.withUserConfiguration(InventoryConfiguration.class)
            .withPropertyValues("distributed-lock.key-prefix=shop:")
            .run(context -> {
                InventoryService inventory = context.getBean(InventoryService.class);
                assertThat(AopUtils.isCglibProxy(inventory)).isTrue();
                assertThat(AopUtils.isCglibProxy(context.getBean(Stock.class))).isTrue();
                Reservation reservation = inventory.reserve("sku-1");
                assertThat(reservation.key()).isEqualTo("shop:inventory:sku-1");
                assertThat(reservation.anotherThreadCouldTakeIt()).isFalse();
                assertThat(reservation.lease().isHeld()).isFalse();
            });
    }

    @Test
    void userEnableDistributedLockAddsNoSecondAdvisor() {
        this.contextRunner.withUserConfiguration(UserEnabledInventoryConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(DistributedLockAdvisor.class);
            assertThat(context.getBean(InventoryService.class).reserve("sku-1").key()).isEqualTo("inventory:sku-1");
        });
    }

    @Test
    void interfacesAreProxiedWhenClassProxyingIsOff() {
        this.contextRunner.withUserConfiguration(InventoryConfiguration.class)
            .withPropertyValues("spring.aop.proxy-target-class=false")
            .run(context -> {
                Stock stock = context.getBean(Stock.class);
                assertThat(AopUtils.isJdkDynamicProxy(stock)).isTrue();
                assertThat(stock.count("sku-1")).isEqualTo("stock:sku-1");
            });
    }

    static Optional<String> propertyNamedBy(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidConfigurationPropertyValueException invalid) {
                return Optional.of(invalid.getName());
            }
            if (cause instanceof BindException bindFailure) {
                return Optional.of(bindFailure.getName().toString());
            }
        }
        return Optional.empty();
    }

    @Configuration(proxyBeanMethods = false)
    static class UserLeaseBackendConfiguration {

        @Bean
        InMemoryLeaseBackend userLeaseBackend() {
            return new InMemoryLeaseBackend();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserLockClientConfiguration {

        @Bean(destroyMethod = "close")
        LockEngine userLockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserSettingsConfiguration {

        @Bean
        DistributedLockSettings userLockSettings() {
            DistributedLockSettings defaults = DistributedLockSettings.defaults();
            return new DistributedLockSettings(defaults.defaultLeaseTime(), defaults.defaultWaitTime(),
                    defaults.maxWaitTime(), defaults.keyPrefix(), 7, defaults.onLeaseLost());
        }

        @Bean
        LockEngineSettings userEngineSettings() {
            return LockEngineSettings.defaults();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class InventoryConfiguration {

        @Bean
        InventoryService inventoryService(LockClient lockClient) {
            return new InventoryService(lockClient);
        }

        @Bean
        Stock stock() {
            return new LockedStock();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock
    static class UserEnabledInventoryConfiguration {

        @Bean
        InventoryService inventoryService(LockClient lockClient) {
            return new InventoryService(lockClient);
        }

    }

    /**
     * What a locked method saw while it ran.
     * @param key the key of its lease
     * @param anotherThreadCouldTakeIt whether another thread could take the same key meanwhile
     * @param lease the lease itself
     */
    record Reservation(String key, boolean anotherThreadCouldTakeIt, Lease lease) {
    }

    static class InventoryService {

        private final LockClient lockClient;

        InventoryService(LockClient lockClient) {
            this.lockClient = lockClient;
        }

        @DistributedLock(name = "inventory", key = "#sku")
        public Reservation reserve(String sku) {
            Lease lease = LockContext.current();
            // The engine is reentrant per thread, so only another thread shows whether the backend holds the key.
            boolean taken = CompletableFuture
                .supplyAsync(() -> this.lockClient.tryAcquire(LockRequest.of(lease.key(), Duration.ofSeconds(5))))
                .join()
                .map(otherLease -> {
                    otherLease.release();
                    return true;
                })
                .orElse(false);
            return new Reservation(lease.key(), taken, lease);
        }

    }

    interface Stock {

        String count(String sku);

    }

    static class LockedStock implements Stock {

        @Override
        @DistributedLock(name = "stock", key = "#sku")
        public String count(String sku) {
            return LockContext.current().key();
        }

    }

}
