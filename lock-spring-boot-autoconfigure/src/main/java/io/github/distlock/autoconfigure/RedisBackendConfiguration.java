package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.redis.RedisLockOptions;

import org.jspecify.annotations.Nullable;
import redis.clients.jedis.UnifiedJedis;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Creates the {@link RedisLeaseBackend} when {@code distributed-lock.backend=redis}, or when the property is not set
 * and lock-redis and Jedis are on the classpath.
 *
 * <p>The backend's connections are {@link RedisConnections} built from the
 * {@link DistributedLockRedisConnectionDetails}: the application's own bean of that type; else
 * {@code distributed-lock.redis.*} when any connection property there is set; else Spring Boot's
 * {@code DataRedisConnectionDetails} when Spring Boot's Redis module is present (so {@code @ServiceConnection} and
 * Docker Compose connections place the locks too); else {@code spring.data.redis.*}; else {@code localhost:6379}.
 * They are closed with the context. They connect on first use, so the application starts while Redis is down; one PING at start-up
 * reports that as a warning, and rejected credentials as a start-up failure. When the application has its own
 * {@link UnifiedJedis} bean (exactly one, or one marked primary), the backend borrows that client's connections
 * instead ({@link RedisConnections#sharing}) and leaves closing it to the application; the time limit of each call
 * is then still {@code distributed-lock.redis.timeout}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ RedisLeaseBackend.class, UnifiedJedis.class })
@ConditionalOnMissingBean(LeaseBackend.class)
@Conditional(LockBackendCondition.class)
@EnableConfigurationProperties(RedisLockProperties.class)
class RedisBackendConfiguration {

    private static final String DATA_REDIS_CONNECTION_DETAILS =
            "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails";

    @Bean
    @ConditionalOnMissingBean(DistributedLockRedisConnectionDetails.class)
    DistributedLockRedisConnectionDetails distributedLockRedisConnectionDetails(RedisLockProperties properties,
            Environment environment, ObjectProvider<SslBundles> sslBundles, ListableBeanFactory beanFactory) {
        if (!properties.hasConnectionProperties()
                && ClassUtils.isPresent(DATA_REDIS_CONNECTION_DETAILS,
                        RedisBackendConfiguration.class.getClassLoader())) {
            DistributedLockRedisConnectionDetails boot = SpringBootRedisDetails.find(beanFactory, environment);
            if (boot != null) {
                return boot;
            }
        }
        return RedisConnectionSettings.fromProperties(properties, environment, sslBundles.getIfAvailable());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(RedisConnections.class)
    RedisConnections distributedLockRedisConnections(RedisLockProperties properties, Environment environment,
            ObjectProvider<DistributedLockRedisConnectionDetails> details, ObjectProvider<UnifiedJedis> userClient) {
        UnifiedJedis user = userClient.getIfUnique();
        if (user != null) {
            Duration timeout = properties.getTimeout();
            return RedisConnections.sharing(user, (timeout != null) ? timeout : RedisConnections.DEFAULT_TIMEOUT);
        }
        if (userClient.stream().findAny().isPresent()) {
            // Several clients without a primary leave no obvious choice.
            throw new IllegalStateException("The application has several UnifiedJedis beans and none is @Primary: "
                    + "mark the one distributed locks should use @Primary, or declare a LeaseBackend bean");
        }
        RedisConnectionSettings settings = RedisConnectionSettings.resolve(details.getObject(), properties,
                environment);
        RedisConnections connections = settings.createConnections();
        try {
            RedisConnectionCheck.checkAtStartUp(settings, connections);
        }
        catch (RuntimeException ex) {
            connections.close();
            throw ex;
        }
        return connections;
    }

    @Bean(destroyMethod = "close")
    RedisLeaseBackend redisLeaseBackend(RedisLockProperties properties, RedisConnections connections) {
        RedisLockOptions options = SettingsFromProperties.build(RedisLockProperties.PREFIX,
                SettingsFromProperties.names("keyPrefix", "key-prefix", "maxKeyLength", "max-key-length",
                        "replicasToAcknowledge", "replica-acknowledgements", "replicaAcknowledgementTimeout",
                        "replica-acknowledgement-timeout", "tokenRetention", "token-retention"),
                () -> new RedisLockOptions(properties.getKeyPrefix(), properties.getMaxKeyLength(),
                        properties.getReplicaAcknowledgements(), properties.getReplicaAcknowledgementTimeout(),
                        properties.getTokenRetention()));
        return new RedisLeaseBackend(connections, options);
    }

    // Addresses only (RedisConnections never describes credentials); for the health, one PING per server, so a
    // Cluster with one node down is down: the keys of that node's slots cannot be locked.
    @Bean
    LockBackendStatus redisLockBackendStatus(RedisConnections connections, RedisLeaseBackend backend) {
        return new LockBackendStatus(() -> Map.of("server", connections.describe(""), "keyPrefix",
                backend.options().keyPrefix(), "timeout", connections.timeout().toString(), "replicaAcknowledgements",
                backend.options().replicasToAcknowledge()), () -> {
                    Map<String, String> answers = connections.pingEachServer();
                    Map<String, String> silent = new TreeMap<>(answers);
                    silent.values().removeIf("PONG"::equals);
                    if (!silent.isEmpty()) {
                        throw new IllegalStateException(silent.size() + " of " + answers.size()
                                + " Redis servers did not answer PING: " + silent);
                    }
                    return Map.of("servers", answers);
                });
    }

    /** Loaded only when Spring Boot's Redis module is on the classpath. */
    private static final class SpringBootRedisDetails {

        static @Nullable DistributedLockRedisConnectionDetails find(ListableBeanFactory beanFactory,
                Environment environment) {
            DataRedisConnectionDetails details = beanFactory.getBeanProvider(DataRedisConnectionDetails.class)
                .getIfUnique();
            return (details != null) ? DataRedisConnectionDetailsAdapter.adapt(details, environment) : null;
        }

    }

}
