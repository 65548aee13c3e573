package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.redis.RedlockLeaseBackend;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.FencingToken;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code distributed-lock.redis.redlock.*} selecting the Redlock backend, against three real, independent Redis
 * masters started by the tests; its validation and its health.
 */
class RedlockBackendConfigurationTests {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private static final List<RedisServer> masters = new ArrayList<>();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                DistributedLockActuatorAutoConfiguration.class))
        // Generous for a loaded machine: the tests stop no master while a lock call runs.
        .withPropertyValues("distributed-lock.redis.redlock.node-timeout=1s");

    @BeforeAll
    static void startMasters() {
        for (int i = 0; i < 3; i++) {
            masters.add(RedisServer.start());
        }
    }

    @AfterAll
    static void stopMasters() {
        masters.forEach(RedisServer::close);
        masters.clear();
    }

    @Test
    void redlockNodesSelectTheRedlockBackendWhichLocksOnEveryMaster() {
        this.contextRunner.withPropertyValues(nodes(masters)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).getBean(LeaseBackend.class).isInstanceOf(RedlockLeaseBackend.class);
            assertThat(context).doesNotHaveBean(RedisConnections.class).doesNotHaveBean(RedisLeaseBackend.class);
            LockClient client = context.getBean(LockClient.class);
            assertThat(client.backendName()).isEqualTo("redlock");
            assertThat(client.supportsFencingTokens()).as("fencing tokens over Redlock").isFalse();
            String key = "boot-" + UUID.randomUUID();
            try (Lease lease = client.tryAcquire(LockRequest.of(key, LEASE)).orElseThrow()) {
                for (RedisServer master : masters) {
                    try (Jedis jedis = master.connect()) {
                        assertThat(jedis.get("distlock:{" + key + "}")).as("the lock on master %s", master.port())
                            .endsWith(":" + lease.ownerToken());
                    }
                }
            }
        });
    }

    @Test
    void aLongFencingTokenFailsStartUpOverRedlockWhichIssuesNone() {
        this.contextRunner.withPropertyValues(nodes(masters)).withUserConfiguration(FencedCharge.class)
            .run(context -> assertThat(context).hasFailed()
                .getFailure()
                .hasMessageContaining("long @FencingToken")
                .hasMessageContaining("lock backend 'redlock' issues no fencing tokens"));
    }

    @Test
    void anEvenNumberOfMastersFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues(nodes(masters.subList(0, 2)))
            .run(context -> assertStartUpFailedNaming(context.getStartupFailure(), RedlockCondition.NODES,
                    "odd number of at least 3"));
    }

    @Test
    void aSingleMasterFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues(nodes(masters.subList(0, 1)))
            .run(context -> assertStartUpFailedNaming(context.getStartupFailure(), RedlockCondition.NODES,
                    "odd number of at least 3"));
    }

    @Test
    void aNodeThatIsNotHostAndPortFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues(RedlockCondition.NODES + "=127.0.0.1:1,127.0.0.1,127.0.0.1:3")
            .run(context -> assertStartUpFailedNaming(context.getStartupFailure(), RedlockCondition.NODES,
                    "not host:port"));
    }

    @Test
    void aNodeWrittenAsAUrlFailsStartUpNamingThePropertyInsteadOfFailingEveryLock() {
        this.contextRunner.withPropertyValues(RedlockCondition.NODES + "=redis://127.0.0.1:6379,127.0.0.1:6380,127.0.0.1:6381")
            .run(context -> assertStartUpFailedNaming(context.getStartupFailure(), RedlockCondition.NODES,
                    "'redis://127.0.0.1:6379' is not host:port with a port between 1 and 65535; write the address "
                            + "without its scheme"));
    }

    @Test
    void redlockTogetherWithAnotherRedisAddressFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues(nodes(masters)).withPropertyValues("distributed-lock.redis.host=other")
            .run(context -> assertStartUpFailedNaming(context.getStartupFailure(), RedlockCondition.NODES,
                    "distributed-lock.redis.host"));
    }

    @Test
    void aNodeTimeoutThatIsNotPositiveFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues(nodes(masters))
            .withPropertyValues("distributed-lock.redis.redlock.node-timeout=0s")
            .run(context -> assertStartUpFailedNaming(context.getStartupFailure(),
                    "distributed-lock.redis.redlock.node-timeout", "must be positive"));
    }

    @Test
    void theHealthIsUpWithAMinorityOfMastersSilentAndDownWithAMajority() {
        List<RedisServer> own = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                own.add(RedisServer.start());
            }
            this.contextRunner.withPropertyValues(nodes(own)).run(context -> {
                DistributedLockHealthIndicator indicator = context.getBean(DistributedLockHealthIndicator.class);
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                own.get(0).kill();
                Health minority = indicator.health();
                assertThat(minority.getStatus()).as("health with 1 of 3 masters down").isEqualTo(Status.UP);
                assertThat(minority.getDetails().toString()).contains("2 of 3").contains("no answer");
                own.get(1).kill();
                Health majority = indicator.health();
                assertThat(majority.getStatus()).as("health with 2 of 3 masters down").isEqualTo(Status.DOWN);
                assertThat(majority.getDetails().get("reason").toString()).contains("Only 1 of 3 Redlock masters");
            });
        }
        finally {
            own.forEach(RedisServer::close);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FencedCharge {

        @Bean
        Charge charge() {
            return new Charge();
        }

    }

    static class Charge {

        @DistributedLock(name = "charge", key = "#orderId")
        public long charge(String orderId, @FencingToken long token) {
            return token;
        }

    }

    private static String nodes(List<RedisServer> servers) {
        return RedlockCondition.NODES + "="
                + servers.stream().map(server -> "127.0.0.1:" + server.port()).collect(Collectors.joining(","));
    }

    private static void assertStartUpFailedNaming(Throwable failure, String property, String reason) {
        assertThat(failure).as("start-up failure").isNotNull();
        assertThat(DistributedLockAutoConfigurationTests.propertyNamedBy(failure)).as("property named by %s", failure)
            .hasValue(property);
        assertThat(failure).rootCause().hasMessageContaining(reason);
    }

}
