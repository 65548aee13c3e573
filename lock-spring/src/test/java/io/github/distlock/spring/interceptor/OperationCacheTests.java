package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.EnableDistributedLock;
import io.github.distlock.spring.LockContext;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operation cache holds the locked methods only: neither the pointcut, which is asked about every public method
 * of every bean, nor the start-up validator leaves an entry for a method that is not locked.
 */
class OperationCacheTests {

    @Test
    void afterCallsOnABeanWithManyUnlockedMethodsTheCacheHoldsOnlyTheLockedOperations() throws Exception {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(CacheConfig.class)) {
            MostlyUnlocked bean = context.getBean(MostlyUnlocked.class);
            int unlocked = 0;
            for (Method method : MostlyUnlocked.class.getDeclaredMethods()) {
                if (!Modifier.isPublic(method.getModifiers())) {
                    continue;
                }
                Object result = method.invoke(bean);
                if (method.isAnnotationPresent(DistributedLock.class)) {
                    assertThat(result).as(method.getName()).isEqualTo("report:" + method.getName());
                }
                else {
                    assertThat(result).as(method.getName()).isEqualTo("unlocked");
                    unlocked++;
                }
            }
            assertThat(unlocked).isEqualTo(10);
            assertThat(context.getBean(AnnotationDistributedLockOperationSource.class).cacheSize()).isEqualTo(2);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class CacheConfig {

        @Bean(destroyMethod = "close")
        LockEngine lockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

        @Bean
        MostlyUnlocked mostlyUnlocked() {
            return new MostlyUnlocked();
        }

    }

    /** Two locked methods among ten that are not. */
    static class MostlyUnlocked {

        @DistributedLock(name = "report", key = "methodName")
        public String daily() {
            return lockedKey();
        }

        @DistributedLock(name = "report", key = "methodName")
        public String weekly() {
            return lockedKey();
        }

        public String one() {
            return lockedKey();
        }

        public String two() {
            return lockedKey();
        }

        public String three() {
            return lockedKey();
        }

        public String four() {
            return lockedKey();
        }

        public String five() {
            return lockedKey();
        }

        public String six() {
            return lockedKey();
        }

        public String seven() {
            return lockedKey();
        }

        public String eight() {
            return lockedKey();
        }

        public String nine() {
            return lockedKey();
        }

        public String ten() {
            return lockedKey();
        }

        private static String lockedKey() {
            return LockContext.find().map(lease -> lease.key()).orElse("unlocked");
        }

    }

}
