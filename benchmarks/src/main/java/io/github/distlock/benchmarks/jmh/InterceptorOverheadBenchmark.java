package io.github.distlock.benchmarks.jmh;

import io.github.distlock.core.LockClient;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The annotation's own cost with the lock taken out: the same calls as {@link AnnotationOverheadBenchmark}, over a
 * {@link NoOpLockClient}. Annotated minus direct is the interceptor (operation lookup, key evaluation, request,
 * context binding, lease checks); it does not depend on the backend.
 */
public class InterceptorOverheadBenchmark extends LockedCallsBenchmark {

    @Override
    Class<?> lockClientConfiguration() {
        return NoOpLockConfiguration.class;
    }

    /**
     * The benchmark's lock client: one that does nothing.
     */
    @Configuration(proxyBeanMethods = false)
    static class NoOpLockConfiguration {

        @Bean
        LockClient lockClient() {
            return new NoOpLockClient();
        }

    }

}
