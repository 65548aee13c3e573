package io.github.distlock.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two threads check out the same orders at the same moment. Without the lock the check-then-charge race charges
 * orders twice; with {@code @DistributedLock} every order is charged exactly once.
 */
class ChargeRaceTests {

    private static final int ORDERS = 20;

    private AnnotationConfigApplicationContext context;

    private ExecutorService callers;

    @BeforeEach
    void start() {
        this.context = new AnnotationConfigApplicationContext(RaceConfig.class);
        this.callers = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        this.callers.shutdownNow();
        this.context.close();
    }

    @Test
    void withoutTheLockConcurrentCheckoutsChargeOrdersTwice() throws Exception {
        Ledger ledger = this.context.getBean(Ledger.class);
        UnlockedCheckout checkout = this.context.getBean(UnlockedCheckout.class);
        raceTwoCallersOverEveryOrder(checkout::checkout);
        assertThat(ledger.ordersChargedMoreThanOnce()).as("the race must show without the lock").isNotEmpty();
    }

    @Test
    void withTheLockEveryOrderIsChargedExactlyOnce() throws Exception {
        Ledger ledger = this.context.getBean(Ledger.class);
        LockedCheckout checkout = this.context.getBean(LockedCheckout.class);
        raceTwoCallersOverEveryOrder(checkout::checkout);
        assertThat(ledger.ordersChargedMoreThanOnce()).isEmpty();
        assertThat(ledger.chargedOrders()).isEqualTo(ORDERS);
    }

    private void raceTwoCallersOverEveryOrder(Consumer<String> checkout) throws Exception {
        for (int order = 0; order < ORDERS; order++) {
            String orderId = "order-" + order;
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> calls = new ArrayList<>();
            for (int caller = 0; caller < 2; caller++) {
                calls.add(this.callers.submit(() -> {
                    start.await();
                    checkout.accept(orderId);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> call : calls) {
                call.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Charges an order unless it was charged already: a check-then-act that is only safe under a lock. */
    static class Ledger {

        private final Map<String, AtomicInteger> charges = new ConcurrentHashMap<>();

        void chargeUnlessCharged(String orderId) {
            if (this.charges.containsKey(orderId)) {
                return;
            }
            try {
                // The payment gateway's round trip, during which another caller can pass the check.
                Thread.sleep(TestTimings.RACE_WINDOW.toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            this.charges.computeIfAbsent(orderId, id -> new AtomicInteger()).incrementAndGet();
        }

        List<String> ordersChargedMoreThanOnce() {
            return this.charges.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey).toList();
        }

        int chargedOrders() {
            return this.charges.size();
        }

    }

    static class UnlockedCheckout {

        private final Ledger ledger;

        UnlockedCheckout(Ledger ledger) {
            this.ledger = ledger;
        }

        public void checkout(String orderId) {
            this.ledger.chargeUnlessCharged(orderId);
        }

    }

    static class LockedCheckout {

        private final Ledger ledger;

        LockedCheckout(Ledger ledger) {
            this.ledger = ledger;
        }

        @DistributedLock(name = "checkout", key = "#orderId")
        public void checkout(String orderId) {
            this.ledger.chargeUnlessCharged(orderId);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class RaceConfig {

        @Bean(destroyMethod = "close")
        LockEngine lockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

        @Bean
        Ledger ledger() {
            return new Ledger();
        }

        @Bean
        UnlockedCheckout unlockedCheckout(Ledger ledger) {
            return new UnlockedCheckout(ledger);
        }

        @Bean
        LockedCheckout lockedCheckout(Ledger ledger) {
            return new LockedCheckout(ledger);
        }

    }

}
