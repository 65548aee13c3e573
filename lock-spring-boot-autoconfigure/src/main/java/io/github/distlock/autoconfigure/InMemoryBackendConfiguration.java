package io.github.distlock.autoconfigure;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Creates the {@link InMemoryLeaseBackend} when {@code distributed-lock.backend=in-memory}, or as the last fallback
 * when no other backend applies.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(LeaseBackend.class)
@Conditional(LockBackendCondition.class)
class InMemoryBackendConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(InMemoryBackendConfiguration.class);

    @Bean
    InMemoryLeaseBackend inMemoryLeaseBackend(DistributedLockProperties properties) {
        if (properties.getBackend() == null) {
            // Chosen by elimination: locks would silently not be shared between instances, so say so.
            logger.warn("No distributed lock backend was found on the classpath; using the in-memory backend, "
                    + "which locks within this JVM only. Set {}=in-memory to confirm this choice.",
                    LockBackendCondition.PROPERTY);
        }
        return new InMemoryLeaseBackend();
    }

}
