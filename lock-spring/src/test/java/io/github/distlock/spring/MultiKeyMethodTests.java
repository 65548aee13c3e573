package io.github.distlock.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code @DistributedLock(keys = ...)}: every element of a collection or array is locked, all or none, released
 * together, one fencing token per key; bad values fail before any lock is taken, and misuse fails start-up naming
 * the method.
 */
class MultiKeyMethodTests {

    private static final String PREFIX = DistributedLockSettings.defaults().keyPrefix() + "stock:";

    private AnnotationConfigApplicationContext context;

    @AfterEach
    void closeContext() {
        if (this.context != null) {
            this.context.close();
        }
    }

    private Stock start() {
        this.context = new AnnotationConfigApplicationContext();
        this.context.register(Infrastructure.class);
        this.context.registerBean(Stock.class);
        this.context.refresh();
        return this.context.getBean(Stock.class);
    }

    private boolean isFree(String sku) {
        LockClient client = this.context.getBean(LockClient.class);
        return client.tryAcquire(LockRequest.of(PREFIX + sku, Duration.ofSeconds(5)).withReentrant(false))
            .map(lease -> {
                lease.release();
                return true;
            })
            .orElse(false);
    }

    @Test
    void everyKeyOfTheCollectionIsHeldWhileTheMethodRunsAndACallSharingOneOfThemIsSkipped() throws Exception {
        Stock stock = start();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(
                () -> stock.reserve(List.of("b", "a"), inside, leave));
        try {
            assertThat(inside.await(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(isFree("a")).as("a, locked by the first call").isFalse();
            assertThat(isFree("b")).as("b, locked by the first call").isFalse();
            assertThat(stock.reserve(List.of("c", "b"), new CountDownLatch(1), new CountDownLatch(0)))
                .as("a call sharing b").isFalse();
            assertThat(isFree("c")).as("c, not kept by the skipped call").isTrue();
            assertThat(stock.reserve(List.of("c", "d"), new CountDownLatch(1), new CountDownLatch(0)))
                .as("a call sharing nothing").isTrue();
        }
        finally {
            leave.countDown();
        }
        assertThat(first.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(isFree("a")).isTrue();
        assertThat(isFree("b")).isTrue();
    }

    @Test
    void eachKeyHasItsOwnFencingTokenInTheLockContext() {
        Stock stock = start();
        Map<String, Long> tokens = stock.tokensOf(new String[] { "y", "x", "x" });
        assertThat(tokens.keySet()).containsExactly(PREFIX + "x", PREFIX + "y");
        assertThat(tokens.values()).doesNotContainNull().doesNotHaveDuplicates();
    }

    @Test
    void nullEmptyAndNullElementKeysFailBeforeAnyLockIsTakenAndTheMethodDoesNotRun() {
        Stock stock = start();
        assertThatExceptionOfType(LockKeyEvaluationException.class).isThrownBy(() -> stock.count(null))
            .withMessageContaining("Stock.count(List)")
            .withMessageContaining("evaluated to null, not a collection or array of keys");
        assertThatExceptionOfType(LockKeyEvaluationException.class).isThrownBy(() -> stock.count(List.of()))
            .withMessageContaining("no keys at all");
        assertThatExceptionOfType(LockKeyEvaluationException.class)
            .isThrownBy(() -> stock.count(Arrays.asList("a", null)))
            .withMessageContaining("element 1 to null");
        assertThat(stock.counted()).isZero();
        assertThat(this.context.getBean(LockEngine.class).heldLeaseCount()).isZero();
    }

    @Test
    void aFluxLocksEveryKeyFromSubscriptionToCompletion() {
        Stock stock = start();
        Sinks.Many<String> source = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.create(stock.stream(List.of("m", "n"), source.asFlux()))
            .then(() -> source.tryEmitNext("first"))
            .expectNext("first")
            .then(() -> {
                assertThat(isFree("m")).as("m while the flux emits").isFalse();
                assertThat(isFree("n")).as("n while the flux emits").isFalse();
                source.tryEmitComplete();
            })
            .expectComplete()
            .verify(TestTimings.EVENTUALLY);
        assertThat(isFree("m")).isTrue();
        assertThat(isFree("n")).isTrue();
    }

    @Test
    void threadsCallingWithRandomOverlappingSetsNeverDeadlockNorOverlapOnAnyKey() throws Exception {
        Stock stock = start();
        int threads = 6;
        int calls = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < calls; i++) {
                        List<String> skus = new ArrayList<>(List.of("s0", "s1", "s2", "s3", "s4", "s5"));
                        Collections.shuffle(skus, ThreadLocalRandom.current());
                        stock.move(skus.subList(0, 1 + ThreadLocalRandom.current().nextInt(5)));
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(2, TimeUnit.MINUTES);
            }
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(stock.moves()).isEqualTo(threads * calls);
        assertThat(stock.overlaps()).as("calls that found one of their keys in use").isZero();
    }

    @Test
    void keyAndKeysTogetherFailStartupNamingTheMethod() {
        assertStartupFails(BothKeyAndKeys.class, "BothKeyAndKeys.run(List)", "sets both key");
    }

    @Test
    void keysWithAFencingTokenParameterFailStartupPointingToTheLockContext() {
        assertStartupFails(KeysWithToken.class, "KeysWithToken.run(List, long)", "LockContext.fencingTokens()");
    }

    @Test
    void keysOfADeclaredSingleValueFailStartup() {
        assertStartupFails(KeysOfAString.class, "KeysOfAString.run(String)", "not a collection or array of keys");
    }

    @Test
    void aCollectionAsASingleKeyFailsStartupSuggestingKeys() {
        assertStartupFails(CollectionAsKey.class, "CollectionAsKey.run(List)", "keys = ");
    }

    private void assertStartupFails(Class<?> beanClass, String method, String problem) {
        this.context = new AnnotationConfigApplicationContext();
        this.context.register(Infrastructure.class);
        this.context.registerBean(beanClass);
        assertThatThrownBy(this.context::refresh).isInstanceOf(BeanCreationException.class)
            .hasMessageContaining(method)
            .hasMessageContaining(problem);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class Infrastructure {

        @Bean(destroyMethod = "close")
        LockEngine lockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

    }

    static class Stock {

        private final AtomicInteger counted = new AtomicInteger();

        private final AtomicInteger moves = new AtomicInteger();

        private final AtomicInteger overlaps = new AtomicInteger();

        private final Map<String, Thread> inUse = new ConcurrentHashMap<>();

        public int counted() {
            return this.counted.get();
        }

        public int moves() {
            return this.moves.get();
        }

        public int overlaps() {
            return this.overlaps.get();
        }

        @DistributedLock(name = "stock", keys = "#skus", whenLocked = WhenLocked.SKIP)
        public boolean reserve(List<String> skus, CountDownLatch inside, CountDownLatch leave) {
            inside.countDown();
            try {
                leave.await(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return true;
        }

        @DistributedLock(name = "stock", keys = "#skus")
        public Map<String, Long> tokensOf(String[] skus) {
            return LockContext.fencingTokens();
        }

        @DistributedLock(name = "stock", keys = "#skus")
        public void count(List<String> skus) {
            this.counted.incrementAndGet();
        }

        @DistributedLock(name = "stock", keys = "#skus")
        public Flux<String> stream(List<String> skus, Flux<String> items) {
            return items;
        }

        @DistributedLock(name = "stock", keys = "#skus", waitTime = "30s")
        public void move(List<String> skus) {
            for (String sku : skus) {
                if (this.inUse.putIfAbsent(sku, Thread.currentThread()) != null) {
                    this.overlaps.incrementAndGet();
                }
            }
            try {
                Thread.sleep(1);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            for (String sku : skus) {
                this.inUse.remove(sku, Thread.currentThread());
            }
            this.moves.incrementAndGet();
        }

    }

    static class BothKeyAndKeys {

        @DistributedLock(key = "#skus[0]", keys = "#skus")
        public void run(List<String> skus) {
        }

    }

    static class KeysWithToken {

        @DistributedLock(keys = "#skus")
        public void run(List<String> skus, @FencingToken long token) {
        }

    }

    static class KeysOfAString {

        @DistributedLock(keys = "#sku")
        public void run(String sku) {
        }

    }

    static class CollectionAsKey {

        @DistributedLock(key = "#skus")
        public void run(List<String> skus) {
        }

    }

}
