package io.github.distlock.autoconfigure;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import io.github.distlock.testservers.EtcdServer;
import io.github.distlock.testservers.RedisClusterGroup;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.ZooKeeperServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;
import static org.awaitility.Awaitility.await;

/**
 * The {@code distributedLock} health indicator of each backend against real servers (the Redis one over HTTP in
 * {@link ActuatorOverHttpTests}): up while the backend answers, down with a reason, never a secret, when it does
 * not; and switched off by its property.
 */
class DistributedLockHealthTests {

    private static final String PASSWORD = "health-s3cret";

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                DistributedLockAutoConfiguration.class, DistributedLockActuatorAutoConfiguration.class));

    @Test
    void theJdbcBackendIsUpWithItsTableAndDownWithTheReasonWhenTheTableIsGone() {
        this.contextRunner
            .withPropertyValues("distributed-lock.backend=jdbc",
                    "spring.datasource.url=jdbc:h2:mem:health-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                    "spring.datasource.username=sa", "spring.datasource.password=" + PASSWORD)
            .run((context) -> {
                DistributedLockHealthIndicator indicator = context.getBean(DistributedLockHealthIndicator.class);
                Health up = indicator.health();
                assertThat(up.getStatus()).isEqualTo(Status.UP);
                assertThat(up.getDetails()).containsEntry("backend", "jdbc")
                    .containsEntry("table", "distributed_lock")
                    .containsEntry("database", "H2");
                try (Connection connection = context.getBean(DataSource.class).getConnection();
                        Statement statement = connection.createStatement()) {
                    statement.execute("DROP TABLE distributed_lock");
                }
                Health down = indicator.health();
                assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                assertThat(down.getDetails()).containsEntry("backend", "jdbc").containsKey("reason");
                assertThat(down.getDetails().get("reason").toString()).containsIgnoringCase("distributed_lock")
                    .doesNotContain(PASSWORD);
                assertThat(down.getDetails()).doesNotContainKey("error");
            });
    }

    @Test
    void theZooKeeperBackendIsDownWhileItsEnsembleIsStoppedAndUpWhenItReturns() throws Exception {
        try (ZooKeeperServer zooKeeper = ZooKeeperServer.start(4_000)) {
            this.contextRunner
                .withPropertyValues("distributed-lock.backend=zookeeper",
                        "distributed-lock.zookeeper.connect-string=" + zooKeeper.connectString(),
                        "distributed-lock.zookeeper.session-timeout=4s", "distributed-lock.lease-time=3s")
                .run((context) -> {
                    DistributedLockHealthIndicator indicator = context.getBean(DistributedLockHealthIndicator.class);
                    await().atMost(Duration.ofSeconds(20))
                        .until(() -> indicator.health().getStatus().equals(Status.UP));
                    assertThat(indicator.health().getDetails()).containsEntry("connectString",
                            zooKeeper.connectString());
                    zooKeeper.stop();
                    await().atMost(Duration.ofSeconds(20))
                        .until(() -> indicator.health().getStatus().equals(Status.DOWN));
                    assertThat(indicator.health().getDetails().get("reason").toString())
                        .contains("Not connected to ZooKeeper");
                    zooKeeper.restart();
                    await().atMost(Duration.ofSeconds(30))
                        .until(() -> indicator.health().getStatus().equals(Status.UP));
                });
        }
    }

    @Test
    void theEtcdBackendIsUpWithItsMembersAndDownWhileItIsKilled() {
        try (EtcdServer etcd = EtcdServer.start()) {
            this.contextRunner
                .withPropertyValues("distributed-lock.backend=etcd", "distributed-lock.etcd.endpoints=" + etcd.endpoint(),
                        "distributed-lock.etcd.request-timeout=1s")
                .run((context) -> {
                    DistributedLockHealthIndicator indicator = context.getBean(DistributedLockHealthIndicator.class);
                    Health up = indicator.health();
                    assertThat(up.getStatus()).isEqualTo(Status.UP);
                    assertThat(up.getDetails()).containsEntry("backend", "etcd").containsEntry("members", 1);
                    etcd.kill();
                    Health down = indicator.health();
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(down.getDetails()).containsEntry("backend", "etcd").containsKey("reason");
                    etcd.restart();
                    await().atMost(Duration.ofSeconds(30))
                        .until(() -> indicator.health().getStatus().equals(Status.UP));
                });
        }
    }

    @Test
    void aRedisClusterIsUpWhenEveryNodeAnswersAndDownNamingTheNodeThatDoesNot() {
        try (RedisClusterGroup cluster = RedisClusterGroup.start()) {
            this.contextRunner
                .withPropertyValues("distributed-lock.backend=redis",
                        "distributed-lock.redis.cluster.nodes=127.0.0.1:" + cluster.nodes().get(0).port(),
                        "distributed-lock.redis.timeout=500ms", "distributed-lock.redis.connect-timeout=500ms")
                .run((context) -> {
                    DistributedLockHealthIndicator indicator = context.getBean(DistributedLockHealthIndicator.class);
                    Health up = indicator.health();
                    assertThat(up.getStatus()).isEqualTo(Status.UP);
                    assertThat(up.getDetails().get("servers")).asInstanceOf(MAP)
                        .hasSize(3)
                        .containsValue("PONG");
                    RedisServer stopped = cluster.nodes().get(2);
                    stopped.kill();
                    Health down = indicator.health();
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(down.getDetails().get("reason").toString()).contains("1 of 3",
                            "127.0.0.1:" + stopped.port());
                });
        }
    }

    @Test
    void theInMemoryBackendIsAlwaysUp() {
        this.contextRunner.withPropertyValues("distributed-lock.backend=in-memory").run((context) -> {
            Health health = context.getBean(DistributedLockHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("backend", "in-memory");
        });
    }

    @Test
    void theEndpointExistsOnlyWhenExposed() {
        this.contextRunner.withPropertyValues("distributed-lock.backend=in-memory")
            .run((context) -> assertThat(context).doesNotHaveBean(DistributedLocksEndpoint.class)
                .hasSingleBean(DistributedLockHealthIndicator.class));
        this.contextRunner
            .withPropertyValues("distributed-lock.backend=in-memory",
                    "management.endpoints.web.exposure.include=distributedlocks")
            .run((context) -> assertThat(context).hasSingleBean(DistributedLocksEndpoint.class));
    }

    @Test
    void thePropertySwitchesTheIndicatorOff() {
        this.contextRunner
            .withPropertyValues("distributed-lock.backend=in-memory", "management.health.distributedlock.enabled=false",
                    "management.endpoints.web.exposure.include=distributedlocks")
            .run((context) -> assertThat(context).doesNotHaveBean(DistributedLockHealthIndicator.class)
                .hasSingleBean(DistributedLocksEndpoint.class));
    }

    @Test
    void withoutTheActuatorThereIsNeitherEndpointNorIndicator() {
        this.contextRunner.withPropertyValues("distributed-lock.backend=in-memory")
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
                    "org.springframework.boot.health"))
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(DistributedLockHealthIndicator.class)
                .doesNotHaveBean(DistributedLocksEndpoint.class));
    }

    @Test
    void credentialsInAFailuresMessageAreMasked() {
        assertThat(DistributedLockHealthIndicator.mask("cannot reach redis://lock-user:" + PASSWORD
                + "@db.example:6379/0 or jdbc:postgresql://db.example/locks?user=u&password=" + PASSWORD))
            .doesNotContain(PASSWORD, "lock-user")
            .contains("redis://******@db.example:6379/0", "password=******");
    }

}
