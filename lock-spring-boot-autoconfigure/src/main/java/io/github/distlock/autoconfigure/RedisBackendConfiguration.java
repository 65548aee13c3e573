package io.github.distlock.autoconfigure;

import java.util.function.Supplier;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.redis.LazyRedisClient;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.redis.RedisLockOptions;

import redis.clients.jedis.UnifiedJedis;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Creates the {@link RedisLeaseBackend} when {@code distributed-lock.backend=redis}, or when the property is not set
 * and lock-redis and Jedis are on the classpath.
 *
 * <p>The Jedis client is the application's own {@link UnifiedJedis} bean when it has exactly one (or one marked
 * primary); the backend uses it and leaves closing it to the application. Otherwise a {@link LazyRedisClient} is
 * built from {@link RedisConnectionSettings} ({@code distributed-lock.redis.*}, else {@code spring.data.redis.*},
 * else {@code localhost:6379}) and closed with the context. That client connects on first use, so the application
 * starts while Redis is down; one PING at start-up reports that as a warning, and rejected credentials as a
 * start-up failure.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ RedisLeaseBackend.class, UnifiedJedis.class })
@ConditionalOnMissingBean(LeaseBackend.class)
@Conditional(LockBackendCondition.class)
class RedisBackendConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(UnifiedJedis.class)
    LazyRedisClient distributedLockRedisClient(DistributedLockProperties properties, Environment environment,
            ObjectProvider<SslBundles> sslBundles) {
        RedisConnectionSettings settings = RedisConnectionSettings.resolve(properties.getRedis(), environment,
                sslBundles.getIfAvailable());
        LazyRedisClient client = settings.createClient();
        try {
            settings.checkAtStartUp(client);
        }
        catch (RuntimeException ex) {
            client.close();
            throw ex;
        }
        return client;
    }

    @Bean(destroyMethod = "close")
    RedisLeaseBackend redisLeaseBackend(DistributedLockProperties properties, ObjectProvider<UnifiedJedis> userClient,
            ObjectProvider<LazyRedisClient> ownClient) {
        DistributedLockProperties.Redis redis = properties.getRedis();
        RedisLockOptions options = new RedisLockOptions(redis.getKeyPrefix(), redis.getMaxKeyLength(),
                redis.getReplicaAcknowledgements(), redis.getReplicaAcknowledgementTimeout(), redis.getTokenRetention());
        return new RedisLeaseBackend(client(userClient, ownClient), options);
    }

    private static Supplier<? extends UnifiedJedis> client(ObjectProvider<UnifiedJedis> userClient,
            ObjectProvider<LazyRedisClient> ownClient) {
        UnifiedJedis user = userClient.getIfUnique();
        if (user != null) {
            return () -> user;
        }
        LazyRedisClient own = ownClient.getIfAvailable();
        if (own == null) {
            // Our client backs off for any UnifiedJedis bean; several without a primary leave no obvious choice.
            throw new IllegalStateException("The application has several UnifiedJedis beans and none is @Primary: "
                    + "mark the one distributed locks should use @Primary, or declare a LeaseBackend bean");
        }
        return own;
    }

}
