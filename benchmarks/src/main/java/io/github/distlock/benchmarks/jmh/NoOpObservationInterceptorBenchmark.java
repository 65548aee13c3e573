package io.github.distlock.benchmarks.jmh;

import io.github.distlock.core.LockClient;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link InterceptorOverheadBenchmark} with an {@link ObservationRegistry#NOOP} bean in the application, as an
 * application has that declares a registry and turns observations off: the interceptor then looks the registry up
 * once and takes the same unobserved path. Annotated minus direct here against the same figure in
 * {@link InterceptorOverheadBenchmark} is what a no-op registry costs a locked call.
 */
public class NoOpObservationInterceptorBenchmark extends LockedCallsBenchmark {

    @Override
    Class<?> lockClientConfiguration() {
        return NoOpObservationConfiguration.class;
    }

    /**
     * A lock client that does nothing, and a no-op observation registry.
     */
    @Configuration(proxyBeanMethods = false)
    static class NoOpObservationConfiguration {

        @Bean
        LockClient lockClient() {
            return new NoOpLockClient();
        }

        @Bean
        ObservationRegistry observationRegistry() {
            return ObservationRegistry.NOOP;
        }

    }

}
