package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * No password and no URL user-info ever reaches a log line, an exception message (with its causes and suppressed
 * exceptions) or a start-up failure report, for every property of the Redis backend that can hold one: whether Redis
 * rejects the credentials, is unreachable, or the value is malformed. Each case runs a real Spring Boot application
 * against a real {@code redis-server} that requires a password.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisSecretsTests {

    private static final String PASSWORD = "s3cr3t-" + UUID.randomUUID().toString().substring(0, 8);

    private static final String WRONG = "wr0ng-" + UUID.randomUUID().toString().substring(0, 8);

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start("--requirepass", PASSWORD);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void aUrlWithTheRightPasswordButAWrongUserNeverShowsThePassword(CapturedOutput output) {
        assertStartUpFailsWithoutShowing(output, "nobody", PASSWORD,
                "distributed-lock.redis.url=redis://nobody:" + PASSWORD + "@127.0.0.1:" + redis.port());
    }

    @Test
    void aRejectedPasswordPropertyNeverShowsThePassword(CapturedOutput output) {
        assertStartUpFailsWithoutShowing(output, WRONG, WRONG, "distributed-lock.redis.port=" + redis.port(),
                "distributed-lock.redis.password=" + WRONG);
    }

    @Test
    void rejectedCredentialsFailStartUpWithADescriptionOfTheServerAndAnActionNamingTheProperties(
            CapturedOutput output) {
        assertStartUpFailsWithoutShowing(output, WRONG, WRONG, "distributed-lock.redis.port=" + redis.port(),
                "distributed-lock.redis.password=" + WRONG);
        assertThat(output.getAll())
            .contains("Invalid value '******' for configuration property 'distributed-lock.redis.password'")
            .contains("was rejected by Redis localhost:" + redis.port())
            .contains("WRONGPASS")
            .contains("Give the credentials of a user that this Redis accepts in distributed-lock.redis.username "
                    + "and distributed-lock.redis.password");
    }

    @Test
    void springDataRedisCredentialsAreNeverShown(CapturedOutput output) {
        assertStartUpFailsWithoutShowing(output, "someone", WRONG,
                "spring.data.redis.url=redis://someone:" + WRONG + "@127.0.0.1:" + redis.port());
        assertStartUpFailsWithoutShowing(output, WRONG, WRONG, "spring.data.redis.port=" + redis.port(),
                "spring.data.redis.password=" + WRONG);
    }

    @Test
    void aMalformedUrlIsReportedWithItsUserInfoMasked(CapturedOutput output) {
        assertStartUpFailsWithoutShowing(output, "admin", PASSWORD,
                "distributed-lock.redis.url=redis://admin:" + PASSWORD + "@");
        assertStartUpFailsWithoutShowing(output, "admin", "p@ss/" + PASSWORD,
                "distributed-lock.redis.url=http://admin:p@ss/" + PASSWORD + "@127.0.0.1:" + redis.port());
    }

    @Test
    void anUnreachableRedisAndTheLockCallsThatFailMeanwhileNeverShowTheCredentials(CapturedOutput output) {
        int nothingThere = FreePorts.next();
        try (ConfigurableApplicationContext context = application(
                "distributed-lock.redis.url=redis://locker:" + PASSWORD + "@127.0.0.1:" + nothingThere,
                "distributed-lock.redis.sentinel.password=" + WRONG, "distributed-lock.redis.timeout=300ms").run()) {
            Throwable failure = catchThrowable(() -> context.getBean(LockClient.class)
                .tryAcquire(LockRequest.of("secret-check", Duration.ofSeconds(5))));
            assertThat(failure).as("the lock call while Redis is down").isNotNull();
            assertNeverShown(output, failure, "locker", PASSWORD, WRONG);
        }
    }

    @Test
    void anUnreachableSentinelGroupNeverShowsItsPassword(CapturedOutput output) {
        try (ConfigurableApplicationContext context = application(
                "distributed-lock.redis.sentinel.master=locks",
                "distributed-lock.redis.sentinel.nodes=127.0.0.1:" + FreePorts.next(),
                "distributed-lock.redis.sentinel.password=" + WRONG, "distributed-lock.redis.password=" + PASSWORD,
                "distributed-lock.redis.timeout=300ms").run()) {
            Throwable failure = catchThrowable(() -> context.getBean(LockClient.class)
                .tryAcquire(LockRequest.of("secret-check", Duration.ofSeconds(5))));
            assertThat(failure).as("the lock call while the sentinels are down").isNotNull();
            assertNeverShown(output, failure, null, PASSWORD, WRONG);
        }
    }

    private static void assertStartUpFailsWithoutShowing(CapturedOutput output, String user, String password,
            String... properties) {
        Throwable failure = catchThrowable(() -> application(properties).run().close());
        assertThat(failure).as("start-up with %s", List.of(properties)).isNotNull();
        assertNeverShown(output, failure, user, password);
    }

    private static void assertNeverShown(CapturedOutput output, Throwable failure, @org.jspecify.annotations.Nullable
            String user, String... secrets) {
        List<String> texts = new ArrayList<>(messagesOf(failure));
        texts.add(output.getAll());
        for (String text : texts) {
            for (String secret : secrets) {
                assertThat(text).as("a message or log line").doesNotContain(secret);
            }
            if (user != null) {
                assertThat(text).as("a message or log line").doesNotContain(user + ":").doesNotContain(user + "@");
            }
        }
    }

    private static List<String> messagesOf(Throwable failure) {
        List<String> messages = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> pending = new ArrayList<>(List.of(failure));
        while (!pending.isEmpty()) {
            Throwable next = pending.remove(pending.size() - 1);
            if (!seen.add(next)) {
                continue;
            }
            messages.add(String.valueOf(next));
            if (next.getCause() != null) {
                pending.add(next.getCause());
            }
            pending.addAll(List.of(next.getSuppressed()));
        }
        return messages;
    }

    private static SpringApplicationBuilder application(String... properties) {
        return new SpringApplicationBuilder(LockingApplication.class).web(WebApplicationType.NONE)
            .properties("distributed-lock.backend=redis")
            .properties(properties);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class LockingApplication {

    }

}
