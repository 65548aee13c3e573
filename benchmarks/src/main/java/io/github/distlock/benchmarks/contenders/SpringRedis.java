package io.github.distlock.benchmarks.contenders;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis connection a Spring Boot application gets by default: a Lettuce connection factory with default
 * settings (one shared native connection per factory).
 */
final class SpringRedis {

    private SpringRedis() {
    }

    static LettuceConnectionFactory connectionFactory(String host, int port) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

}
