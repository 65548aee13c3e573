package io.github.distlock.vttests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.HeldLease;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.jdbc.JdbcLeaseBackend;
import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.jdbc.JdbcLockSchema;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.redis.RedisLockOptions;
import io.github.distlock.redis.RedisTopology;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.EnableDistributedLock;
import io.github.distlock.testservers.PostgresServer;
import io.github.distlock.testservers.RedisServer;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten thousand virtual threads through one locked method, on JDK 25, over a real Redis server and a real PostgreSQL
 * server: no two runs of one key overlap, no update is lost, and JFR reports no virtual thread pinned in this
 * library's code (a pinned thread holds its carrier, and with two carriers two pinned waiters stop everything). The
 * detector is shown to see a pinned virtual thread first. A lease may be taken on one virtual thread and released on
 * another, as an asynchronous method does.
 */
class VirtualThreadLockingTests {

    private static final int VIRTUAL_THREADS = 10_000;

    /** Keys the threads share: each key is passed from thread to thread 50 times. */
    private static final int KEYS = 200;

    /** Calls before the watched run, five per key, so that the waiting path is loaded too. */
    private static final int WARM_UP = 5 * KEYS;

    private static final Duration FINISH = Duration.ofMinutes(3);

    @Test
    void pinningDetectorSeesAVirtualThreadBlockedInAClassInitializer() throws Exception {
        List<String> pinned = pinnedStacksWhile(() -> {
            Thread thread = Thread.ofVirtual().start(SlowToInitialize::touch);
            thread.join(FINISH);
        });
        assertThat(pinned).as("pinned virtual threads seen").anySatisfy(
                stack -> assertThat(stack).contains(SlowToInitialize.class.getName()));
    }

    @Test
    void tenThousandVirtualThreadsOnRedisNeverOverlapLoseNoUpdateAndPinNothingOfOurs() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            // The backend's own pool, as the Spring Boot starter makes it: 64 connections, each call within 2 s.
            RedisConnections connections = RedisConnections.create(
                    new RedisTopology.Standalone(new HostAndPort(server.host(), server.port())),
                    DefaultJedisClientConfig.builder().socketTimeoutMillis(2000).build(),
                    DefaultJedisClientConfig.builder().build(), 64);
            throughOneLockedMethod(new RedisLeaseBackend(connections, RedisLockOptions.defaults()));
        }
    }

    @Test
    void tenThousandVirtualThreadsOnPostgresNeverOverlapLoseNoUpdateAndPinNothingOfOurs() throws Exception {
        try (PostgresServer server = PostgresServer.start(); HikariDataSource pool = pool(server)) {
            JdbcLockOptions options = JdbcLockOptions.defaults();
            JdbcLockSchema.createIfMissing(pool, options);
            throughOneLockedMethod(JdbcLeaseBackend.create(pool, options));
        }
    }

    @Test
    void leaseTakenOnOneVirtualThreadIsReleasedOnAnother() throws Exception {
        try (RedisServer server = RedisServer.start(); JedisPooled client = new JedisPooled(server.host(),
                server.port()); LockEngine engine = new LockEngine(new RedisLeaseBackend(client));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            LockRequest request = LockRequest.of("handed-over", Duration.ofSeconds(30));
            Lease lease = threads.submit(() -> engine.acquire(request)).get();
            assertThat(threads.submit(() -> engine.tryAcquire(request).isPresent()).get())
                .as("another virtual thread is refused while the lease is held").isFalse();
            threads.submit(lease::release).get();
            assertThat(lease.isHeld()).isFalse();
            try (Lease next = threads.submit(() -> engine.tryAcquire(request).orElseThrow()).get()) {
                assertThat(next.fencingToken().getAsLong()).isGreaterThan(lease.fencingToken().getAsLong());
            }

            // The same through an annotated asynchronous method whose future another virtual thread completes.
            try (AnnotationConfigApplicationContext context = context(engine)) {
                AsyncJob job = context.getBean(AsyncJob.class);
                CountDownLatch finish = new CountDownLatch(1);
                CompletableFuture<String> running = job.run(threads, finish);
                await(job.started());
                // The lock key as the interceptor composed it (the method's name, then the expression's value).
                String lockKey = engine.heldLeases().stream().map(HeldLease::key)
                    .filter(key -> key.endsWith(AsyncJob.KEY)).findFirst().orElseThrow();
                LockRequest jobsKey = LockRequest.of(lockKey, Duration.ofSeconds(30));
                assertThat(threads.submit(() -> engine.tryAcquire(jobsKey).isPresent()).get())
                    .as("the job's key while its future runs").isFalse();
                finish.countDown();
                assertThat(running.get(30, TimeUnit.SECONDS)).isNotEqualTo(job.callerThread());
                try (Lease after = engine.tryAcquire(jobsKey).orElseThrow()) {
                    assertThat(after.isHeld()).as("the key, released by the completing virtual thread").isTrue();
                }
            }
        }
    }

    private static void throughOneLockedMethod(LeaseBackend backend) throws Exception {
        try (LockEngine engine = new LockEngine(backend); AnnotationConfigApplicationContext context = context(engine)) {
            Ledger ledger = context.getBean(Ledger.class);
            // Every class on the path loaded first, so that the watched run is not mostly the first calls' loading.
            callConcurrently(ledger, WARM_UP);
            List<String> pinned = pinnedStacksWhile(() -> callConcurrently(ledger, VIRTUAL_THREADS));
            assertThat(ledger.overlaps()).as("runs that found another run of their key inside").isZero();
            int total = 0;
            for (int slot = 0; slot < KEYS; slot++) {
                total += ledger.balance(slot);
            }
            assertThat(total).as("updates kept").isEqualTo(WARM_UP + VIRTUAL_THREADS);
            // A thread loading or initializing a class is pinned while it does (a JVM limitation, rare after the
            // warm-up, seen in a driver's path that only load reaches); any other pin with this library on the
            // stack is one its code caused.
            assertThat(pinned).as("pinned virtual threads with this library on their stack, not loading a class")
                .noneMatch(stack -> stack.contains("io.github.distlock.")
                        && !stack.contains("java.lang.ClassLoader.loadClass\n") && !stack.contains(".<clinit>\n"));
        }
    }

    /** Calls the ledger from {@code count} virtual threads at once, over every key in turn, and waits for all. */
    private static void callConcurrently(Ledger ledger, int count) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int slot = i % KEYS;
                calls.add(threads.submit(() -> ledger.post(slot)));
            }
            long deadline = System.nanoTime() + FINISH.toNanos();
            try {
                for (Future<?> call : calls) {
                    call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            }
            finally {
                // A failed or late call must not leave the executor's close waiting for the others.
                threads.shutdownNow();
            }
        }
    }

    /** Runs {@code work} while JFR records every pinned virtual thread, and returns their stacks as text. */
    private static List<String> pinnedStacksWhile(Work work) throws Exception {
        List<String> stacks = new CopyOnWriteArrayList<>();
        try (RecordingStream recording = new RecordingStream()) {
            recording.enable("jdk.VirtualThreadPinned").withStackTrace().withThreshold(Duration.ZERO);
            recording.onEvent("jdk.VirtualThreadPinned", event -> stacks.add(stackOf(event)));
            recording.startAsync();
            work.run();
            // Waits until every event recorded so far has reached the handler.
            recording.stop();
        }
        return stacks;
    }

    private static String stackOf(RecordedEvent event) {
        StringBuilder stack = new StringBuilder();
        if (event.hasField("pinnedReason")) {
            stack.append("pinned: ").append(event.getString("pinnedReason")).append('\n');
        }
        if (event.getStackTrace() != null) {
            for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                stack.append(frame.getMethod().getType().getName()).append('.').append(frame.getMethod().getName())
                    .append('\n');
            }
        }
        return stack.toString();
    }

    private static HikariDataSource pool(PostgresServer server) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl());
        config.setUsername(PostgresServer.SUPERUSER);
        config.setMaximumPoolSize(32);
        return new HikariDataSource(config);
    }

    private static AnnotationConfigApplicationContext context(LockEngine engine) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean(LockEngine.class, () -> engine, definition -> definition.setDestroyMethodName(""));
        context.register(LockedBeans.class);
        context.refresh();
        return context;
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @FunctionalInterface
    private interface Work {

        void run() throws Exception;

    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class LockedBeans {

        @Bean
        Ledger ledger() {
            return new Ledger();
        }

        @Bean
        AsyncJob asyncJob() {
            return new AsyncJob();
        }

    }

    /** One balance per key, updated by a read, a yield of the carrier and a write: overlapping runs lose updates. */
    static class Ledger {

        private final AtomicIntegerArray inside = new AtomicIntegerArray(KEYS);

        private final AtomicIntegerArray balances = new AtomicIntegerArray(KEYS);

        private final AtomicInteger overlaps = new AtomicInteger();

        public int overlaps() {
            return this.overlaps.get();
        }

        public int balance(int slot) {
            return this.balances.get(slot);
        }

        @DistributedLock(key = "'vt-ledger:' + #slot", waitTime = "2m")
        public void post(int slot) {
            if (this.inside.incrementAndGet(slot) > 1) {
                this.overlaps.incrementAndGet();
            }
            int read = this.balances.get(slot);
            Thread.yield();
            this.balances.set(slot, read + 1);
            this.inside.decrementAndGet(slot);
        }

    }

    /** A locked asynchronous method whose future is completed by another virtual thread. */
    static class AsyncJob {

        static final String KEY = "vt-async-job";

        private final CountDownLatch started = new CountDownLatch(1);

        private final AtomicReference<String> callerThread = new AtomicReference<>();

        public CountDownLatch started() {
            return this.started;
        }

        public String callerThread() {
            return this.callerThread.get();
        }

        @DistributedLock(key = "'" + KEY + "'")
        public CompletableFuture<String> run(ExecutorService threads, CountDownLatch finish) {
            this.callerThread.set(Thread.currentThread().toString());
            return CompletableFuture.supplyAsync(() -> {
                this.started.countDown();
                try {
                    finish.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return Thread.currentThread().toString();
            }, threads);
        }

    }

    /** Blocks in its class initializer, where a virtual thread is still pinned on JDK 25. */
    static final class SlowToInitialize {

        static {
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        static void touch() {
        }

    }

}
