package io.github.distlock.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.testservers.ChildJvm;
import io.github.distlock.testservers.EtcdServer;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.ZooKeeperServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point of the library, end to end: three application instances run the same checkout for the same 500 orders
 * at the same time: two application contexts in this JVM, each with its own client of the lock service, and a third
 * in a separate JVM. The ledger (kept in Redis, so all three see it) checks and then charges, racy on purpose:
 * without the lock some orders are charged twice; with it every order is charged exactly once, whether the locks
 * live in Redis, ZooKeeper or etcd (each a real server started by the test).
 */
class CheckoutAcrossInstancesTests {

    private static final int ORDERS = 500;

    private static final int THREADS_PER_INSTANCE = 3;

    /** Widens the race window between the check and the charge. */
    private static final long CHARGE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final long RUN_TIMEOUT_SECONDS = 180;

    private static final String GO_KEY = "ledger:go";

    /** The ledger's Redis port, also the lock service's when the locks live in Redis. */
    private static final String LEDGER_PORT = "checkout.ledger-port";

    private static RedisServer redis;

    private static ZooKeeperServer zooKeeper;

    private static EtcdServer etcd;

    @BeforeAll
    static void startServers() {
        redis = RedisServer.start();
        zooKeeper = ZooKeeperServer.start(60_000);
        etcd = EtcdServer.start();
    }

    @AfterAll
    static void stopServers() {
        redis.close();
        zooKeeper.close();
        etcd.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource
    void lockedCheckoutChargesEveryOrderExactlyOnceAcrossInstances(LockService service) throws Exception {
        String run = runOnThreeInstances(service, true);
        assertThat(chargesPerOrder(run)).hasSize(ORDERS).allMatch(charges -> charges == 1);
    }

    @Test
    void unlockedTwinChargesSomeOrdersTwice() throws Exception {
        String run = runOnThreeInstances(LockService.REDIS, false);
        assertThat(chargesPerOrder(run)).hasSize(ORDERS)
            .as("orders charged more than once")
            .anyMatch(charges -> charges > 1);
    }

    private static String runOnThreeInstances(LockService service, boolean locked) throws Exception {
        String run = UUID.randomUUID().toString();
        Path log = Files.createTempFile("distlock-checkout-instance", ".log");
        String[] properties = instanceProperties(service);
        Process otherJvm = startOtherJvm(run, locked, properties, log);
        try {
            ApplicationContextRunner instance = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
                .withPropertyValues(properties)
                .withUserConfiguration(locked ? LockedCheckoutConfiguration.class : UnlockedCheckoutConfiguration.class);
            instance.run(first -> instance.run(second -> {
                assertThat(first.getBean(LeaseBackend.class).name()).isEqualTo(service.backendName);
                assertThat(first.getBean(LeaseBackend.class)).as("each instance has its own client")
                    .isNotSameAs(second.getBean(LeaseBackend.class));
                List<Checkout> checkouts = new ArrayList<>();
                for (AssertableApplicationContext context : List.of(first, second)) {
                    checkouts.add(context.getBean(Checkout.class));
                }
                // The other JVM waits for the same signal, so all three instances start together.
                try (UnifiedJedis jedis = redisClient(redis.port())) {
                    await(() -> jedis.get(GO_KEY + ":" + run + ":ready") != null);
                    jedis.set(GO_KEY + ":" + run, "1");
                }
                checkoutConcurrently(checkouts, run);
            }));
            assertThat(otherJvm.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(otherJvm.exitValue()).as(Files.readString(log)).isZero();
        }
        finally {
            otherJvm.destroyForcibly();
            Files.deleteIfExists(log);
        }
        return run;
    }

    private static String[] instanceProperties(LockService service) {
        List<String> properties = new ArrayList<>(List.of(LEDGER_PORT + "=" + redis.port()));
        switch (service) {
            case REDIS -> properties.add("distributed-lock.redis.port=" + redis.port());
            case ZOOKEEPER -> properties.addAll(List.of("distributed-lock.backend=zookeeper",
                    "distributed-lock.zookeeper.connect-string=" + zooKeeper.connectString()));
            case ETCD -> properties.addAll(List.of("distributed-lock.backend=etcd",
                    "distributed-lock.etcd.endpoints=" + etcd.endpoint()));
        }
        return properties.toArray(String[]::new);
    }

    private static Process startOtherJvm(String run, boolean locked, String[] properties, Path log)
            throws Exception {
        List<String> arguments = new ArrayList<>(List.of(run, Boolean.toString(locked)));
        arguments.addAll(List.of(properties));
        return new ProcessBuilder(ChildJvm.command(List.of(), OtherInstance.class, arguments))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    }

    // Every thread walks the same orders in the same order, so the instances keep colliding on the same order.
    static void checkoutConcurrently(List<Checkout> checkouts, String run) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(checkouts.size() * THREADS_PER_INSTANCE);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (Checkout checkout : checkouts) {
                for (int i = 0; i < THREADS_PER_INSTANCE; i++) {
                    runs.add(threads.submit(() -> {
                        for (int order = 0; order < ORDERS; order++) {
                            checkout.checkout(run + "-" + order);
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> future : runs) {
                future.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    private static List<Long> chargesPerOrder(String run) {
        List<Long> charges = new ArrayList<>();
        try (UnifiedJedis jedis = redisClient(redis.port())) {
            for (int order = 0; order < ORDERS; order++) {
                String value = jedis.get("ledger:charges:" + run + "-" + order);
                if (value != null) {
                    charges.add(Long.parseLong(value));
                }
            }
        }
        return charges;
    }

    // Only constructors that Jedis 7 and 8 both have: CI runs this test on both.
    static UnifiedJedis redisClient(int port) {
        return new UnifiedJedis(new PooledConnectionProvider(new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder().build()), 3, Duration.ofSeconds(6));
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out waiting for the other instance");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * The payment ledger all instances write to, kept in Redis: checks whether an order was charged, then charges
     * it. Racy on purpose; only the lock around it makes it safe.
     */
    static class RedisLedger implements AutoCloseable {

        private final UnifiedJedis jedis;

        RedisLedger(int port) {
            this.jedis = redisClient(port);
        }

        void chargeIfNotCharged(String orderId) {
            if (this.jedis.get("ledger:charged:" + orderId) == null) {
                LockSupport.parkNanos(CHARGE_PAUSE_NANOS);
                this.jedis.incr("ledger:charges:" + orderId);
                this.jedis.set("ledger:charged:" + orderId, "1");
            }
        }

        @Override
        public void close() {
            this.jedis.close();
        }

    }

    /** Where the locks live; the ledger is in Redis for all of them. */
    enum LockService {

        REDIS("redis"), ZOOKEEPER("zookeeper"), ETCD("etcd");

        final String backendName;

        LockService(String backendName) {
            this.backendName = backendName;
        }

    }

    interface Checkout {

        void checkout(String orderId);

    }

    static class LockedCheckout implements Checkout {

        private final RedisLedger ledger;

        LockedCheckout(RedisLedger ledger) {
            this.ledger = ledger;
        }

        @Override
        @DistributedLock(name = "charge", key = "#orderId")
        public void checkout(String orderId) {
            this.ledger.chargeIfNotCharged(orderId);
        }

    }

    static class UnlockedCheckout implements Checkout {

        private final RedisLedger ledger;

        UnlockedCheckout(RedisLedger ledger) {
            this.ledger = ledger;
        }

        @Override
        public void checkout(String orderId) {
            this.ledger.chargeIfNotCharged(orderId);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class LedgerConfiguration {

        @Bean(destroyMethod = "close")
        RedisLedger redisLedger(Environment environment) {
            return new RedisLedger(environment.getRequiredProperty(LEDGER_PORT, Integer.class));
        }

    }

    @Configuration(proxyBeanMethods = false)
    @Import(LedgerConfiguration.class)
    static class LockedCheckoutConfiguration {

        @Bean
        LockedCheckout checkout(RedisLedger ledger) {
            return new LockedCheckout(ledger);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @Import(LedgerConfiguration.class)
    static class UnlockedCheckoutConfiguration {

        @Bean
        UnlockedCheckout checkout(RedisLedger ledger) {
            return new UnlockedCheckout(ledger);
        }

    }

    /**
     * The third instance: a Spring Boot application in its own JVM, started by the test.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(DistributedLockAutoConfiguration.class)
    static class OtherInstance {

        /**
         * Runs the checkout over the same orders once the test says go: {@code <run> <locked> <property>...}.
         * @param args the arguments
         */
        public static void main(String[] args) throws Exception {
            String run = args[0];
            boolean locked = Boolean.parseBoolean(args[1]);
            String[] properties = Arrays.copyOfRange(args, 2, args.length);
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(OtherInstance.class,
                    locked ? LockedCheckoutConfiguration.class : UnlockedCheckoutConfiguration.class)
                .web(WebApplicationType.NONE)
                .properties(properties)
                .run();
                    UnifiedJedis jedis = redisClient(
                            context.getEnvironment().getRequiredProperty(LEDGER_PORT, Integer.class))) {
                jedis.set(GO_KEY + ":" + run + ":ready", "1");
                await(() -> jedis.get(GO_KEY + ":" + run) != null);
                checkoutConcurrently(List.of(context.getBean(Checkout.class)), run);
            }
        }

    }

}
