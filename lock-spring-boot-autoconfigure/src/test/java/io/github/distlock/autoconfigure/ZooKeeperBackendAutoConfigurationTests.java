package io.github.distlock.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.testservers.ZooKeeperServer;
import io.github.distlock.zookeeper.ZooKeeperLeaseBackend;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The ZooKeeper backend's auto-configuration on a real ZooKeeper server: choice and detection, the bound properties,
 * the application's own Curator client, two application contexts contending for one key, start-up failures that name
 * the property, and digest ACLs.
 */
class ZooKeeperBackendAutoConfigurationTests {

    private static final Duration LEASE = Duration.ofSeconds(10);

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final int CHECKOUTS_PER_THREAD = 25;

    private static ZooKeeperServer server;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

    @BeforeAll
    static void startServer() {
        server = ZooKeeperServer.start(60_000);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private ApplicationContextRunner chosen(String... properties) {
        return this.contextRunner
            .withPropertyValues("distributed-lock.backend=zookeeper",
                    "distributed-lock.zookeeper.connect-string=" + server.connectString(),
                    "distributed-lock.zookeeper.connection-timeout=5s")
            .withPropertyValues(properties);
    }

    private static String uniqueKey() {
        return "order-" + UUID.randomUUID();
    }

    private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
        Throwable cause = context.getStartupFailure();
        while (cause != null && !(cause instanceof InvalidConfigurationPropertyValueException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("start-up failure %s", context.getStartupFailure())
            .isInstanceOf(InvalidConfigurationPropertyValueException.class);
        return (InvalidConfigurationPropertyValueException) cause;
    }

    @Test
    void chosenBackendLocksThroughZooKeeperWithTheBoundProperties() {
        chosen("distributed-lock.zookeeper.base-path=/orders-app", "distributed-lock.zookeeper.session-timeout=30s")
            .run(context -> {
                assertThat(context).hasSingleBean(ZooKeeperLeaseBackend.class);
                ZooKeeperLeaseBackend backend = context.getBean(ZooKeeperLeaseBackend.class);
                assertThat(backend.options().basePath()).isEqualTo("/orders-app");
                assertThat(backend.sessionTimeout()).isEqualTo(Duration.ofSeconds(30));
                LockClient locks = context.getBean(LockClient.class);
                assertThat(locks.backendName()).isEqualTo("zookeeper");
                String key = uniqueKey();
                try (Lease lease = locks.tryAcquire(LockRequest.of(key, LEASE)).orElseThrow()) {
                    assertThat(lease.fencingToken()).isPresent();
                    assertThat(context.getBean(CuratorFramework.class).checkExists()
                        .forPath("/orders-app/locks/" + key)).isNotNull();
                    assertThat(locks.tryAcquire(LockRequest.of(key, LEASE))).as("reentrant on the same thread")
                        .isPresent();
                }
            });
    }

    @Test
    void twoApplicationContextsWithClientsOfTheirOwnNeverHoldOneKeyAtOnce() {
        chosen().run(first -> chosen().run(second -> {
            assertThat(first.getBean(CuratorFramework.class)).isNotSameAs(second.getBean(CuratorFramework.class));
            List<LockClient> instances = List.of(first.getBean(LockClient.class), second.getBean(LockClient.class));
            String key = uniqueKey();
            AtomicBoolean inside = new AtomicBoolean();
            AtomicInteger overlaps = new AtomicInteger();
            AtomicInteger counter = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<Void>> workers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    LockClient locks = instances.get(i % 2);
                    workers.add(threads.submit(() -> {
                        for (int iteration = 0; iteration < CHECKOUTS_PER_THREAD; iteration++) {
                            try (Lease lease = locks.acquire(LockRequest.of(key, LEASE).withWaitTime(WAIT))) {
                                if (!inside.compareAndSet(false, true)) {
                                    overlaps.incrementAndGet();
                                }
                                int read = counter.get();
                                Thread.yield();
                                counter.set(read + 1);
                                inside.set(false);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<Void> worker : workers) {
                    worker.get(2, TimeUnit.MINUTES);
                }
            }
            finally {
                threads.shutdownNow();
            }
            assertThat(overlaps).as("overlapping critical sections").hasValue(0);
            assertThat(counter).hasValue(4 * CHECKOUTS_PER_THREAD);
        }));
    }

    @Test
    void zooKeeperIsDetectedWhenAConnectStringIsSet() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(UnifiedJedis.class))
            .withPropertyValues("distributed-lock.zookeeper.connect-string=" + server.connectString())
            .run(context -> assertThat(context.getBean(LockClient.class).backendName()).isEqualTo("zookeeper"));
    }

    @Test
    void applicationsOwnCuratorClientWins() {
        this.contextRunner.withPropertyValues("distributed-lock.backend=zookeeper")
            .withUserConfiguration(OwnClient.class)
            .run(context -> {
                assertThat(context).hasSingleBean(CuratorFramework.class);
                assertThat(context.getBean(CuratorFramework.class)).isSameAs(context.getBean("ownCurator"));
                assertThat(context.getBean(LockClient.class).tryAcquire(LockRequest.of(uniqueKey(), LEASE)))
                    .isPresent();
            });
    }

    @Test
    void basePathThatIsNotAbsoluteFailsStartUpNamingTheProperty() {
        chosen("distributed-lock.zookeeper.base-path=locks").run(context -> {
            assertThat(invalidProperty(context).getName()).hasToString("distributed-lock.zookeeper.base-path");
        });
    }

    @Test
    void chosenBackendWithoutAConnectStringFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues("distributed-lock.backend=zookeeper").run(context -> {
            assertThat(invalidProperty(context).getName()).hasToString("distributed-lock.zookeeper.connect-string");
        });
    }

    @Test
    void negativeRetryCountFailsStartUpNamingTheProperty() {
        chosen("distributed-lock.zookeeper.retry.max-retries=-1").run(context -> {
            assertThat(invalidProperty(context).getName()).hasToString("distributed-lock.zookeeper.retry.max-retries");
        });
    }

    @Test
    void passwordWithoutUsernameFailsStartUpNamingTheUsername() {
        chosen("distributed-lock.zookeeper.password=secret").run(context -> {
            InvalidConfigurationPropertyValueException failure = invalidProperty(context);
            assertThat(failure.getName()).hasToString("distributed-lock.zookeeper.username");
            assertThat(failure.getMessage()).doesNotContain("secret");
        });
    }

    @Test
    void leaseTimeLongerThanTheSessionFailsStartUpNamingTheSessionTimeout() {
        chosen("distributed-lock.zookeeper.session-timeout=10s", "distributed-lock.lease-time=30s").run(context -> {
            InvalidConfigurationPropertyValueException failure = invalidProperty(context);
            assertThat(failure.getName()).hasToString("distributed-lock.zookeeper.session-timeout");
            assertThat(failure.getMessage()).contains("distributed-lock.lease-time");
        });
    }

    @Test
    void withDigestCredentialsAnotherUserCanNeitherReadNorDeleteALockNode() {
        chosen("distributed-lock.zookeeper.base-path=/acl-test", "distributed-lock.zookeeper.username=orders",
                "distributed-lock.zookeeper.password=orders-secret")
            .run(context -> {
                String key = uniqueKey();
                try (Lease lease = context.getBean(LockClient.class).tryAcquire(LockRequest.of(key, LEASE))
                    .orElseThrow()) {
                    String node = "/acl-test/locks/" + key;
                    try (CuratorFramework stranger = CuratorFrameworkFactory.builder()
                        .connectString(server.connectString())
                        .retryPolicy(new RetryNTimes(0, 10))
                        .authorization("digest", "billing:billing-secret".getBytes(StandardCharsets.UTF_8))
                        .build()) {
                        stranger.start();
                        assertThatExceptionOfType(KeeperException.NoAuthException.class)
                            .isThrownBy(() -> stranger.getData().forPath(node));
                        assertThatExceptionOfType(KeeperException.NoAuthException.class)
                            .isThrownBy(() -> stranger.delete().forPath(node));
                    }
                    assertThat(lease.isHeld()).isTrue();
                }
            });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnClient {

        @Bean(destroyMethod = "close")
        CuratorFramework ownCurator() {
            // Not started: the auto-configuration starts it.
            return CuratorFrameworkFactory.builder().connectString(server.connectString()).sessionTimeoutMs(40_000)
                .retryPolicy(new RetryNTimes(1, 100)).build();
        }

    }

}
