package io.github.distlock.benchmarks.contenders;

import java.util.List;

import com.baomidou.lock.LockInfo;
import com.baomidou.lock.LockTemplate;
import com.baomidou.lock.executor.RedisTemplateLockExecutor;
import com.baomidou.lock.spring.boot.autoconfigure.Lock4jProperties;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * lock4j's {@link LockTemplate} with its RedisTemplate executor and default properties (retry every 100 ms). Its
 * Spring Boot auto-configuration targets Boot 2/3, so the template is assembled here the way that auto-configuration
 * assembles it. Each node has its own template, executor and connection factory.
 */
final class Lock4jContender extends RedisContender {

    private static final long EXPIRE_MILLIS = 30_000;

    Lock4jContender(String host, int port) {
        super(host, port);
    }

    @Override
    Node open() throws Exception {
        LettuceConnectionFactory connections = SpringRedis.connectionFactory(this.host, this.port);
        Lock4jProperties properties = new Lock4jProperties();
        RedisTemplateLockExecutor executor = new RedisTemplateLockExecutor(new StringRedisTemplate(connections),
                properties);
        LockTemplate template = new LockTemplate();
        template.setProperties(properties);
        template.setExecutors(List.of(executor));
        template.afterPropertiesSet();
        return Node.of((key, wait) -> {
            LockInfo lock = template.lock(key, EXPIRE_MILLIS, wait.toMillis(), RedisTemplateLockExecutor.class);
            return (lock != null) ? () -> template.releaseLock(lock) : null;
        }, connections::destroy);
    }

}
