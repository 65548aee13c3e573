package io.github.distlock.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS to Redis with trust material from a Spring Boot SSL bundle, against a real redis-server with a TLS port. The
 * server's certificate and its CA are made for the test ({@link TestCertificates}); it names 127.0.0.1 and localhost.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisTlsBackendTests {

    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    static Path directory;

    private static TestCertificates certificates;

    private static RedisServer redis;

    private static int tlsPort;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("spring.ssl.bundle.pem.redis.truststore.certificate=file:"
                + certificates.caCertificate(), "distributed-lock.redis.timeout=1s");

    @BeforeAll
    static void startRedisWithTls() {
        certificates = TestCertificates.generate(directory);
        tlsPort = FreePorts.next();
        // The plain port stays open for the launcher's readiness check and for the assertions below.
        redis = RedisServer.start(certificates.redisTlsArguments(tlsPort).toArray(String[]::new));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void sslBundleTrustsTheServerAndLocksWork() {
        this.contextRunner
            .withPropertyValues("distributed-lock.redis.host=127.0.0.1", "distributed-lock.redis.port=" + tlsPort,
                    "distributed-lock.redis.ssl.bundle=redis")
            .run(this::assertLockIsStored);
    }

    @Test
    void redissUrlWithSslBundleLocksWork() {
        this.contextRunner
            .withPropertyValues("distributed-lock.redis.url=rediss://localhost:" + tlsPort,
                    "distributed-lock.redis.ssl.bundle=redis")
            .run(this::assertLockIsStored);
    }

    @Test
    void springDataRedisSslBundleIsUsedToo() {
        this.contextRunner
            .withPropertyValues("spring.data.redis.port=" + tlsPort, "spring.data.redis.ssl.bundle=redis")
            .run(this::assertLockIsStored);
    }

    @Test
    void untrustedServerCertificateIsAWarningNotAStartUpFailure(CapturedOutput output) {
        // The JDK's default trust store does not know the test certificate.
        this.contextRunner
            .withPropertyValues("distributed-lock.redis.port=" + tlsPort, "distributed-lock.redis.ssl.enabled=true")
            .run(context -> assertThat(context).hasNotFailed());
        assertThat(output).contains("which did not answer at start-up").contains("over TLS");
    }

    private void assertLockIsStored(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        String key = "order:" + UUID.randomUUID();
        Lease lease = context.getBean(LockClient.class).tryAcquire(LockRequest.of(key, LEASE)).orElseThrow();
        try (Jedis plain = redis.connect()) {
            assertThat(plain.exists("distlock:{" + key + "}")).isTrue();
        }
        lease.release();
    }

}
