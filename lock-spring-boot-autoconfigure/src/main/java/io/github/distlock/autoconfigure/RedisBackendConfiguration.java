package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.redis.RedisLockOptions;
import io.github.distlock.redis.RedlockLeaseBackend;

import org.jspecify.annotations.Nullable;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
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
 *
 * <p>When {@code distributed-lock.redis.redlock.nodes} is set, the backend is a {@link RedlockLeaseBackend} over
 * those independent masters instead, with connections of its own to each (the per-node time limit is
 * {@code distributed-lock.redis.redlock.node-timeout}), and none of the single-connection beans above is created.
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
    @Conditional(RedlockCondition.NotConfigured.class)
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
    @Conditional(RedlockCondition.NotConfigured.class)
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
    @Conditional(RedlockCondition.NotConfigured.class)
    RedisLeaseBackend redisLeaseBackend(RedisLockProperties properties, RedisConnections connections) {
        return new RedisLeaseBackend(connections, lockOptions(properties));
    }

    // Redlock's masters get the credentials, database and TLS of distributed-lock.redis; the connection details of
    // an application or of Spring Boot name one server, not a set of independent masters, so they are not asked.
    @Bean(destroyMethod = "close")
    @Conditional(RedlockCondition.Configured.class)
    RedlockLeaseBackend redlockLeaseBackend(RedisLockProperties properties, ObjectProvider<SslBundles> sslBundles) {
        List<HostAndPort> masters = RedisConnectionSettings.redlockMasters(properties);
        JedisClientConfig client = RedisConnectionSettings.redlockNodeConfig(
                PropertiesRedisConnectionDetails.of(properties, RedisLockProperties.PREFIX, sslBundles.getIfAvailable()),
                properties.getRedlock().getNodeTimeout());
        RedisLockOptions options = lockOptions(properties);
        return SettingsFromProperties.build(RedisLockProperties.PREFIX,
                SettingsFromProperties.names("nodes", "redlock.nodes", "poolSize", "pool.max-size"),
                () -> RedlockLeaseBackend.create(masters, client, properties.getPool().getMaxSize(), options));
    }

    private static RedisLockOptions lockOptions(RedisLockProperties properties) {
        return SettingsFromProperties.build(RedisLockProperties.PREFIX,
                SettingsFromProperties.names("keyPrefix", "key-prefix", "maxKeyLength", "max-key-length",
                        "replicasToAcknowledge", "replica-acknowledgements", "replicaAcknowledgementTimeout",
                        "replica-acknowledgement-timeout", "tokenRetention", "token-retention"),
                () -> new RedisLockOptions(properties.getKeyPrefix(), properties.getMaxKeyLength(),
                        properties.getReplicaAcknowledgements(), properties.getReplicaAcknowledgementTimeout(),
                        properties.getTokenRetention()));
    }

    // Addresses only (RedisConnections never describes credentials); for the health, one PING per server, so a
    // Cluster with one node down is down: the keys of that node's slots cannot be locked.
    @Bean
    @Conditional(RedlockCondition.NotConfigured.class)
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

    // Redlock locks while a majority of its masters answer, so the health is down only when fewer do; the silent
    // ones are named either way.
    @Bean
    @Conditional(RedlockCondition.Configured.class)
    LockBackendStatus redlockLockBackendStatus(RedlockLeaseBackend backend) {
        return new LockBackendStatus(() -> Map.of("masters", backend.masters(), "majority", backend.majority(), "keyPrefix",
                backend.options().keyPrefix(), "nodeTimeout", backend.nodes().get(0).timeout().toString()), () -> {
                    Map<String, String> answers = backend.pingEachMaster();
                    Map<String, String> silent = new TreeMap<>(answers);
                    silent.values().removeIf("PONG"::equals);
                    int answering = answers.size() - silent.size();
                    if (answering < backend.majority()) {
                        throw new IllegalStateException("Only " + answering + " of " + answers.size() + " Redlock "
                                + "masters answered PING, fewer than the majority of " + backend.majority()
                                + " that a lock needs: " + silent);
                    }
                    return Map.of("masters", answers, "answering", answering + " of " + answers.size());
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
