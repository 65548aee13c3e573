package io.github.distlock.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.etcd.EtcdLeaseBackend;
import io.github.distlock.etcd.EtcdLockOptions;
import io.github.distlock.testservers.EtcdServer;
import io.github.distlock.testservers.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The etcd backend's auto-configuration: choice and detection, the binding of {@code distributed-lock.etcd.*}, the
 * application's own jetcd client, and start-up failures naming the property, against a real etcd member.
 */
class EtcdBackendConfigurationTests {

    private static final String CHOOSE_ETCD = "distributed-lock.backend=etcd";

    private static EtcdServer server;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

    @BeforeAll
    static void startServer() {
        server = EtcdServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void choosingEtcdBindsItsPropertiesAndLocksInEtcdUnderTheKeyPrefix() {
        this.contextRunner
            .withPropertyValues(CHOOSE_ETCD, "distributed-lock.etcd.endpoints=" + server.endpoint(),
                    "distributed-lock.etcd.key-prefix=shop/locks/", "distributed-lock.etcd.request-timeout=3s",
                    "distributed-lock.etcd.max-key-length=200")
            .run(context -> {
                assertThat(context).hasSingleBean(EtcdLeaseBackend.class).hasBean(EtcdBackendConfiguration.CLIENT_BEAN);
                assertThat(context.getBean(EtcdLeaseBackend.class).options())
                    .isEqualTo(new EtcdLockOptions("shop/locks/", 200, Duration.ofSeconds(3)));
                LockClient locks = context.getBean(LockClient.class);
                assertThat(locks.backendName()).isEqualTo("etcd");
                assertThat(locks.supportsFencingTokens()).isTrue();
                Optional<Lease> lease = locks.tryAcquire(LockRequest.of("order-1", Duration.ofSeconds(10)));
                assertThat(lease).isPresent();
                try (Lease held = lease.get()) {
                    ByteSequence stored = ByteSequence.from("shop/locks/order-1", StandardCharsets.UTF_8);
                    assertThat(context.getBean(Client.class).getKVClient().get(stored).get(5, TimeUnit.SECONDS)
                        .getKvs()).singleElement()
                        .satisfies(kv -> assertThat(kv.getCreateRevision())
                            .isEqualTo(held.fencingToken().orElseThrow()));
                }
            });
    }

    @Test
    void applicationsOwnClientWinsAndMakesEtcdTheDetectedBackend() {
        Client own = Client.builder().endpoints(server.endpoint()).build();
        try {
            this.contextRunner.withClassLoader(new FilteredClassLoader(UnifiedJedis.class))
                .withBean(Client.class, () -> own)
                .run(context -> {
                    assertThat(context).hasSingleBean(EtcdLeaseBackend.class)
                        .doesNotHaveBean(EtcdBackendConfiguration.CLIENT_BEAN);
                    assertThat(context.getBean(LockClient.class).tryAcquire(LockRequest.of("own-client",
                            Duration.ofSeconds(10)))).hasValueSatisfying(Lease::release);
                });
        }
        finally {
            own.close();
        }
    }

    @Test
    void withoutAClientBeanOrTheChoiceEtcdIsNotDetected() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(UnifiedJedis.class))
            .run(context -> assertThat(context).hasSingleBean(InMemoryLeaseBackend.class)
                .doesNotHaveBean(EtcdLeaseBackend.class));
    }

    @Test
    void invalidRequestTimeoutFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues(CHOOSE_ETCD, "distributed-lock.etcd.request-timeout=0s")
            .run(context -> assertThat(invalidProperty(context).getName().toString())
                .isEqualTo("distributed-lock.etcd.request-timeout"));
    }

    @Test
    void endpointThatIsNotAUrlFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues(CHOOSE_ETCD, "distributed-lock.etcd.endpoints=etcd-1")
            .run(context -> {
                InvalidConfigurationPropertyValueException failure = invalidProperty(context);
                assertThat(failure.getName().toString()).isEqualTo("distributed-lock.etcd.endpoints");
                assertThat(failure).hasMessageContaining("etcd-1");
            });
    }

    @Test
    void endpointWithCredentialsFailsStartUpWithoutShowingThem() {
        this.contextRunner.withPropertyValues(CHOOSE_ETCD, "distributed-lock.etcd.endpoints=http://app:s3cret@etcd:2379")
            .run(context -> {
                InvalidConfigurationPropertyValueException failure = invalidProperty(context);
                assertThat(failure.getName().toString()).isEqualTo("distributed-lock.etcd.endpoints");
                assertThat(failure).hasMessageNotContaining("s3cret");
                // So that the project's analyzer reports it, not Boot's, which prints the environment's value.
                assertThat(failure).isInstanceOf(SecretPropertyValueException.class);
                assertThat(((SecretPropertyValueException) failure).getAction())
                    .contains("distributed-lock.etcd.username");
            });
    }

    @Test
    void applicationStartsWhileEtcdIsDownAndLockCallsFailClosed() {
        this.contextRunner
            .withPropertyValues(CHOOSE_ETCD, "distributed-lock.etcd.endpoints=http://127.0.0.1:" + FreePorts.next(),
                    "distributed-lock.etcd.request-timeout=1s")
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThatThrownBy(() -> context.getBean(LockClient.class)
                    .tryAcquire(LockRequest.of("down", Duration.ofSeconds(10))))
                    .isInstanceOf(LockUnavailableException.class);
            });
    }

    private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidConfigurationPropertyValueException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("No InvalidConfigurationPropertyValueException in", context.getStartupFailure());
    }

}
