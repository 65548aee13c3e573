package io.github.distlock.autoconfigure;

import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the Redis backend connects when connection details exist: the application's own
 * {@link DistributedLockRedisConnectionDetails} bean wins over every property; Spring Boot's
 * {@link DataRedisConnectionDetails} (as a {@code @ServiceConnection} or Docker Compose declares it) is adapted unless
 * a {@code distributed-lock.redis.*} connection property is set; without Spring Boot's Redis module, properties
 * alone. Each case checks where a lock really lands, in a real {@code redis-server}.
 */
class RedisConnectionDetailsTests {

    private static final String SHORT_TIMEOUTS = "distributed-lock.redis.timeout=300ms";

    private static RedisServer redis;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
        .withPropertyValues("distributed-lock.backend=redis", SHORT_TIMEOUTS);

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static DataRedisConnectionDetails springBootDetails(int port) {
        return new DataRedisConnectionDetails() {

            @Override
            public Standalone getStandalone() {
                return Standalone.of("127.0.0.1", port);
            }

        };
    }

    @Test
    void theApplicationsOwnConnectionDetailsWinOverEveryProperty() {
        this.contextRunner
            .withBean(DistributedLockRedisConnectionDetails.class, () -> new DistributedLockRedisConnectionDetails() {

                @Override
                public Standalone getStandalone() {
                    return new Standalone("127.0.0.1", redis.port(), 6);
                }

            })
            .withBean(DataRedisConnectionDetails.class, () -> springBootDetails(FreePorts.next()))
            .withPropertyValues("distributed-lock.redis.port=" + FreePorts.next(),
                    "spring.data.redis.port=" + FreePorts.next())
            .run(context -> RedisBackendConfigurationTests.assertLockIsStoredIn(redis, 6, context, "distlock:"));
    }

    @Test
    void springBootsRedisConnectionDetailsPlaceTheLocksWhenNoOwnConnectionPropertyIsSet() {
        this.contextRunner.withBean(DataRedisConnectionDetails.class, () -> springBootDetails(redis.port()))
            .withPropertyValues("spring.data.redis.port=" + FreePorts.next())
            .run(context -> {
                assertThat(context.getBean(DistributedLockRedisConnectionDetails.class).getSource())
                    .contains("Spring Boot's");
                RedisBackendConfigurationTests.assertLockIsStoredIn(redis, 0, context, "distlock:");
            });
    }

    @Test
    void ownConnectionPropertiesWinOverSpringBootsConnectionDetails() {
        this.contextRunner.withBean(DataRedisConnectionDetails.class, () -> springBootDetails(FreePorts.next()))
            .withPropertyValues("distributed-lock.redis.port=" + redis.port(), "distributed-lock.redis.database=7")
            .run(context -> RedisBackendConfigurationTests.assertLockIsStoredIn(redis, 7, context, "distlock:"));
    }

    @Test
    void withoutSpringBootsRedisModuleTheSpringDataRedisPropertiesAreReadAlone() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(DataRedisConnectionDetails.class))
            .withPropertyValues("spring.data.redis.port=" + redis.port(), "spring.data.redis.database=8")
            .run(context -> RedisBackendConfigurationTests.assertLockIsStoredIn(redis, 8, context, "distlock:"));
    }

}
