package io.github.distlock.spring;

import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The AspectJ mode asked for where lock-spring-aspects is missing (this module's tests do not have it): start-up
 * fails saying what to add, rather than leaving the locked methods without advice. The mode itself is tested in
 * lock-spring-aspects-tests, on classes woven at compile time.
 */
class AspectJModeWithoutTheAspectsModuleTests {

    @Test
    void aspectJModeWithoutTheAspectsModuleFailsStartUpNamingTheModule() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.register(AspectJModeConfiguration.class);
            assertThatException().isThrownBy(context::refresh)
                .withStackTraceContaining("io.github.distlock:lock-spring-aspects")
                .withStackTraceContaining("mode = AdviceMode.ASPECTJ");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(mode = AdviceMode.ASPECTJ)
    static class AspectJModeConfiguration {

        @Bean(destroyMethod = "close")
        LockEngine lockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

    }

}
