package io.github.distlock.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.RedisServer;
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
 * server's certificate is made for the test with the JDK's keytool; it names 127.0.0.1 and localhost.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisTlsBackendTests {

    private static final String STORE_PASSWORD = "changeit";

    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    static Path certificates;

    private static RedisServer redis;

    private static int tlsPort;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("spring.ssl.bundle.pem.redis.truststore.certificate=file:"
                + certificates.resolve("server.pem"), "distributed-lock.redis.timeout=1s");

    @BeforeAll
    static void startRedisWithTls() throws Exception {
        createServerCertificate(certificates);
        tlsPort = FreePorts.next();
        // The plain port stays open for the launcher's readiness check and for the assertions below.
        redis = RedisServer.start("--tls-port", Integer.toString(tlsPort), "--tls-cert-file",
                certificates.resolve("server.pem").toString(), "--tls-key-file",
                certificates.resolve("server.key").toString(), "--tls-ca-cert-file",
                certificates.resolve("server.pem").toString(), "--tls-auth-clients", "no");
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
            assertThat(plain.exists("distlock:" + key)).isTrue();
        }
        lease.release();
    }

    private static void createServerCertificate(Path directory) throws Exception {
        Path keyStore = directory.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "redis", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore",
                keyStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass",
                STORE_PASSWORD));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "redis", "-keystore", keyStore.toString(),
                "-storepass", STORE_PASSWORD, "-file", directory.resolve("server.pem").toString()));
        Files.writeString(directory.resolve("server.key"), privateKeyPem(keyStore), StandardCharsets.US_ASCII);
    }

    // keytool cannot export a private key; Redis (OpenSSL) reads it as PKCS#8 PEM.
    private static String privateKeyPem(Path keyStore) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, STORE_PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey("redis", STORE_PASSWORD.toCharArray());
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + log);
        }
    }

}
