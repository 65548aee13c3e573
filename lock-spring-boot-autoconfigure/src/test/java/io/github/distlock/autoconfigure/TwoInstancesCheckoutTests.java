package io.github.distlock.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import io.github.distlock.redis.LazyRedisClient;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.testkit.server.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point of the library, end to end: two application instances (two contexts, each with its own Jedis client)
 * share one Redis server and run the same checkout for the same orders at the same time. The ledger's
 * check-then-act is racy on purpose; the lock is what makes every order charged exactly once.
 */
class TwoInstancesCheckoutTests {

    private static final int ORDERS = 500;

    private static final int THREADS_PER_INSTANCE = 3;

    /** Widens the race window between the check and the charge. */
    private static final long CHARGE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final long RUN_TIMEOUT_SECONDS = 120;

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void lockedCheckoutChargesEveryOrderExactlyOnceAcrossInstances() throws Exception {
        Ledger ledger = new Ledger();
        List<String> orders = orderIds();
        runOnTwoInstances(LockedCheckoutConfiguration.class, ledger, orders);
        assertThat(ledger.charges()).hasSize(ORDERS).containsOnlyKeys(orders);
        assertThat(ledger.charges()).allSatisfy((order, charges) -> assertThat(charges).as(order).isEqualTo(1));
    }

    @Test
    void unlockedTwinChargesSomeOrdersTwice() throws Exception {
        Ledger ledger = new Ledger();
        List<String> orders = orderIds();
        runOnTwoInstances(UnlockedCheckoutConfiguration.class, ledger, orders);
        assertThat(ledger.charges()).hasSize(ORDERS);
        assertThat(ledger.charges().values()).as("orders charged more than once").anyMatch(charges -> charges > 1);
    }

    private static void runOnTwoInstances(Class<?> checkoutConfiguration, Ledger ledger, List<String> orders) {
        ApplicationContextRunner instance = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
            .withPropertyValues("distributed-lock.redis.port=" + redis.port())
            .withBean(Ledger.class, () -> ledger)
            .withUserConfiguration(checkoutConfiguration);
        instance.run(first -> instance.run(second -> {
            assertThat(first.getBean(LazyRedisClient.class)).isNotSameAs(second.getBean(LazyRedisClient.class));
            checkoutConcurrently(List.of(first, second), orders);
        }));
    }

    // Every thread walks the same orders in the same order, so the instances keep colliding on the same order.
    private static void checkoutConcurrently(List<AssertableApplicationContext> instances, List<String> orders)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(instances.size() * THREADS_PER_INSTANCE);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> runs = new ArrayList<>();
            for (AssertableApplicationContext instance : instances) {
                Checkout checkout = instance.getBean(Checkout.class);
                for (int i = 0; i < THREADS_PER_INSTANCE; i++) {
                    runs.add(threads.submit(() -> {
                        start.await();
                        orders.forEach(checkout::checkout);
                        return null;
                    }));
                }
            }
            start.countDown();
            for (Future<?> run : runs) {
                run.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    private static List<String> orderIds() {
        String run = UUID.randomUUID().toString();
        return IntStream.range(0, ORDERS).mapToObj(i -> run + "-" + i).toList();
    }

    /**
     * The payment ledger both instances write to: records each charge. Thread-safe map, racy on purpose in
     * {@link #chargeIfNotCharged}.
     */
    static class Ledger {

        private final Map<String, Integer> charges = new ConcurrentHashMap<>();

        void chargeIfNotCharged(String orderId) {
            if (!this.charges.containsKey(orderId)) {
                LockSupport.parkNanos(CHARGE_PAUSE_NANOS);
                this.charges.merge(orderId, 1, Integer::sum);
            }
        }

        Map<String, Integer> charges() {
            return Map.copyOf(this.charges);
        }

    }

    interface Checkout {

        void checkout(String orderId);

    }

    static class LockedCheckout implements Checkout {

        private final Ledger ledger;

        LockedCheckout(Ledger ledger) {
            this.ledger = ledger;
        }

        @Override
        @DistributedLock(name = "charge", key = "#orderId")
        public void checkout(String orderId) {
            this.ledger.chargeIfNotCharged(orderId);
        }

    }

    static class UnlockedCheckout implements Checkout {

        private final Ledger ledger;

        UnlockedCheckout(Ledger ledger) {
            this.ledger = ledger;
        }

        @Override
        public void checkout(String orderId) {
            this.ledger.chargeIfNotCharged(orderId);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class LockedCheckoutConfiguration {

        @Bean
        LockedCheckout checkout(Ledger ledger) {
            return new LockedCheckout(ledger);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UnlockedCheckoutConfiguration {

        @Bean
        UnlockedCheckout checkout(Ledger ledger) {
            return new UnlockedCheckout(ledger);
        }

    }

}
