package io.github.distlock.autoconfigure;

import io.github.distlock.autoconfigure.DistributedLockAutoConfigurationTests.InventoryService;
import io.github.distlock.autoconfigure.DistributedLockAutoConfigurationTests.Reservation;
import io.github.distlock.core.LockClient;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plain Spring Boot application, as a user of the starter writes it: the auto-configuration is found through
 * its {@code AutoConfiguration.imports} entry, alongside Boot's own auto-configurations.
 */
class SpringBootApplicationTests {

    @Test
    void lockedMethodsOfAPlainApplicationAreLocked() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(InventoryApplication.class)
            .web(WebApplicationType.NONE)
            .properties("distributed-lock.backend=in-memory", "distributed-lock.key-prefix=app:")
            .run()) {
            InventoryService inventory = context.getBean(InventoryService.class);
            assertThat(AopUtils.isAopProxy(inventory)).isTrue();
            Reservation reservation = inventory.reserve("sku-7");
            assertThat(reservation.key()).isEqualTo("app:inventory:sku-7");
            assertThat(reservation.anotherThreadCouldTakeIt()).isFalse();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class InventoryApplication {

        @Bean
        InventoryService inventoryService(LockClient lockClient) {
            return new InventoryService(lockClient);
        }

    }

}
