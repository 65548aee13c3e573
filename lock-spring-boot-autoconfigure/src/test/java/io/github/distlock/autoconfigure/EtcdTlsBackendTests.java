package io.github.distlock.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.testservers.EtcdServer;
import io.github.distlock.testservers.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS to etcd with trust material from a Spring Boot SSL bundle, against a real etcd member that serves clients over
 * TLS only. The server's certificate and its CA are made for the test; a second CA, which signed nothing the server
 * presents, stands for a wrong bundle.
 */
class EtcdTlsBackendTests {

    @TempDir
    static Path directory;

    private static TestCertificates certificates;

    private static TestCertificates otherCa;

    private static EtcdServer server;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("distributed-lock.backend=etcd", "distributed-lock.etcd.endpoints=" + server.endpoint(),
                "spring.ssl.bundle.pem.etcd.truststore.certificate=file:" + certificates.caCertificate(),
                "spring.ssl.bundle.pem.other.truststore.certificate=file:" + otherCa.caCertificate());

    @BeforeAll
    static void startEtcdWithTls() throws IOException {
        certificates = TestCertificates.generate(Files.createDirectories(directory.resolve("server")));
        otherCa = TestCertificates.generate(Files.createDirectories(directory.resolve("other")));
        server = EtcdServer.startWithTls(certificates);
    }

    @AfterAll
    static void stopEtcd() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sslBundleTrustsTheServerAndLocksWork() {
        this.contextRunner.withPropertyValues("distributed-lock.etcd.ssl.bundle=etcd").run(context -> {
            assertThat(context).hasNotFailed();
            LockClient locks = context.getBean(LockClient.class);
            try (Lease lease = locks.tryAcquire(LockRequest.of("tls-" + UUID.randomUUID(), Duration.ofSeconds(10)))
                .orElseThrow()) {
                assertThat(lease.fencingToken()).isPresent();
            }
        });
    }

    @Test
    void bundleThatDoesNotTrustTheServerFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues("distributed-lock.etcd.ssl.bundle=other").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("distributed-lock.etcd.ssl.bundle")
                .hasMessageContaining("TLS handshake");
        });
    }

    @Test
    void unknownBundleFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues("distributed-lock.etcd.ssl.bundle=missing").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("distributed-lock.etcd.ssl.bundle")
                .hasMessageContaining("missing");
        });
    }

}
