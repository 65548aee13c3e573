package io.github.distlock.autoconfigure;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.LockMode;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.WhenLocked;
import io.github.distlock.testservers.PostgresServer;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two application instances, auto-configured, on real servers: a {@code keys} method on Redis holds every key of
 * its set against the other instance, and {@code mode = READ} methods on PostgreSQL share a key across instances
 * while a writer on either is kept out.
 */
class KeySetsAndReadersAcrossInstancesTests {

    private static final long PATIENCE_MILLIS = 15_000;

    private static RedisServer redis;

    private static PostgresServer postgres;

    private final String id = UUID.randomUUID().toString();

    @BeforeAll
    static void startServers() {
        redis = RedisServer.start();
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopServers() {
        redis.close();
        postgres.close();
    }

    @Test
    void aKeySetHeldOnOneInstanceSkipsACallSharingOneKeyOnTheOtherAndNotOneSharingNone() throws Exception {
        ApplicationContextRunner instance = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
            .withPropertyValues("distributed-lock.backend=redis", "distributed-lock.redis.port=" + redis.port())
            .withBean(Stock.class);
        instance.run(first -> instance.run(second -> {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch leave = new CountDownLatch(1);
            CompletableFuture<Boolean> holding = CompletableFuture.supplyAsync(() -> first.getBean(Stock.class)
                .reserve(List.of(this.id + "-b", this.id + "-a"), inside, leave));
            try {
                assertThat(inside.await(PATIENCE_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
                Stock other = second.getBean(Stock.class);
                assertThat(other.reserve(List.of(this.id + "-c", this.id + "-b"), new CountDownLatch(1),
                        new CountDownLatch(0))).as("the other instance, sharing b").isFalse();
                assertThat(other.reserve(List.of(this.id + "-c", this.id + "-d"), new CountDownLatch(1),
                        new CountDownLatch(0))).as("the other instance, sharing nothing").isTrue();
            }
            finally {
                leave.countDown();
            }
            assertThat(holding.get(PATIENCE_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(second.getBean(Stock.class).reserve(List.of(this.id + "-a", this.id + "-b"),
                    new CountDownLatch(1), new CountDownLatch(0))).as("once the first call returned").isTrue();
        }));
    }

    @Test
    void readersOnTwoInstancesShareAKeyOnPostgresAndAWriterOnEitherIsKeptOut() throws Exception {
        ApplicationContextRunner instance = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, DistributedLockAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=" + postgres.jdbcUrl(),
                    "spring.datasource.username=" + PostgresServer.SUPERUSER, "distributed-lock.backend=jdbc",
                    "distributed-lock.jdbc.initialize-schema=always")
            .withBean(Catalog.class);
        instance.run(first -> instance.run(second -> {
            assertThat(first).hasNotFailed();
            CountDownLatch bothInside = new CountDownLatch(2);
            CountDownLatch leave = new CountDownLatch(1);
            CompletableFuture<Void> one = CompletableFuture.runAsync(
                    () -> first.getBean(Catalog.class).read(this.id, bothInside, leave));
            CompletableFuture<Void> two = CompletableFuture.runAsync(
                    () -> second.getBean(Catalog.class).read(this.id, bothInside, leave));
            try {
                assertThat(bothInside.await(PATIENCE_MILLIS, TimeUnit.MILLISECONDS))
                    .as("readers of both instances inside at once").isTrue();
                assertThat(first.getBean(Catalog.class).write(this.id)).as("a writer while they read").isFalse();
                assertThat(second.getBean(Catalog.class).write(this.id)).as("a writer on the other instance")
                    .isFalse();
            }
            finally {
                leave.countDown();
            }
            one.get(PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
            two.get(PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(second.getBean(Catalog.class).write(this.id)).as("a writer once both returned").isTrue();
        }));
    }

    static class Stock {

        @DistributedLock(name = "stock", keys = "#skus", whenLocked = WhenLocked.SKIP)
        public boolean reserve(List<String> skus, CountDownLatch inside, CountDownLatch leave) {
            inside.countDown();
            awaitQuietly(leave);
            return true;
        }

    }

    static class Catalog {

        @DistributedLock(name = "catalog", key = "#id", mode = LockMode.READ)
        public void read(String id, CountDownLatch inside, CountDownLatch leave) {
            inside.countDown();
            awaitQuietly(leave);
        }

        @DistributedLock(name = "catalog", key = "#id", whenLocked = WhenLocked.SKIP)
        public boolean write(String id) {
            return true;
        }

    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
