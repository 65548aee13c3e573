package io.github.distlock.jdbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.AcquireResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shared leases on a real PostgreSQL server, beyond the contract: what a refused writer is told, the exclusive
 * statements of other backends on the same table, a writer whose wait ended without leaving the queue, and readers
 * and writers of several application instances racing on one key, with release notification and without.
 */
class PostgresSharedLeaseTests {

    private static TestDatabase.Postgres database;

    private static JdbcLockOptions options;

    private static DataSource pool;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startDatabase() {
        database = TestDatabase.postgres();
        options = database.createLockTable();
        pool = database.pool("shared", 12);
    }

    @AfterAll
    static void stopDatabase() {
        database.close();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = this.closeAfter.size() - 1; i >= 0; i--) {
            this.closeAfter.get(i).close();
        }
        this.closeAfter.clear();
    }

    private NotifyingJdbcLeaseBackend sharing() {
        NotifyingJdbcLeaseBackend backend = (NotifyingJdbcLeaseBackend) JdbcLeaseBackend.create(pool, options);
        this.closeAfter.add(backend);
        return backend;
    }

    private static String uniqueKey() {
        return "shared-" + TestDatabase.randomTableName();
    }

    private static String owner() {
        return "owner-" + TestDatabase.randomTableName();
    }

    @Test
    void aWriterRefusedWhileReadersHoldIsToldTheLongestRemainingReaderLease() {
        NotifyingJdbcLeaseBackend backend = sharing();
        String key = uniqueKey();
        assertThat(backend.tryAcquireShared(key, owner(), Duration.ofSeconds(5)).isGranted()).isTrue();
        assertThat(backend.tryAcquireShared(key, owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
        assertThat(backend.tryAcquireShared(key, owner(), Duration.ofSeconds(10)).isGranted()).isTrue();
        AcquireResult plain = backend.tryAcquire(key, owner(), TestTimings.LONG_LEASE);
        AcquireResult queued = backend.tryAcquireOrQueue(key, owner(), TestTimings.LONG_LEASE, Duration.ofSeconds(1));
        for (AcquireResult refused : List.of(plain, queued)) {
            assertThat(refused.isGranted()).isFalse();
            assertThat(refused.holderRemaining()).as("the remaining time reported by %s", refused)
                .hasValueSatisfying(remaining -> assertThat(remaining)
                    .isGreaterThan(Duration.ofSeconds(10)).isLessThanOrEqualTo(TestTimings.LONG_LEASE));
        }
    }

    @Test
    void aReaderRefusedWhileAWriterHoldsIsToldTheWritersRemainingLease() {
        NotifyingJdbcLeaseBackend backend = sharing();
        String key = uniqueKey();
        assertThat(backend.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
        AcquireResult refused = backend.tryAcquireShared(key, owner(), TestTimings.LONG_LEASE);
        assertThat(refused.isGranted()).isFalse();
        assertThat(refused.holderRemaining()).hasValueSatisfying(remaining -> assertThat(remaining)
            .isGreaterThan(Duration.ofSeconds(10)).isLessThanOrEqualTo(TestTimings.LONG_LEASE));
    }

    @Test
    void aBackendWithoutSharedLeasesOnTheSameTableIsRefusedWhileReadersHold() {
        NotifyingJdbcLeaseBackend backend = sharing();
        // Its exclusive statements are those of a backend without shared leases (or of an older distlock).
        JdbcLeaseBackend exclusiveOnly = JdbcLeaseBackend.create(pool, options.withReleaseNotification(false));
        assertThat(exclusiveOnly).isNotInstanceOf(NotifyingJdbcLeaseBackend.class);
        String key = uniqueKey();
        String reader = owner();
        assertThat(backend.tryAcquireShared(key, reader, TestTimings.LONG_LEASE).isGranted()).isTrue();
        String writer = owner();
        assertThat(exclusiveOnly.tryAcquire(key, writer, TestTimings.LONG_LEASE).isGranted())
            .as("an exclusive-only backend's attempt while a reader holds").isFalse();
        assertThat(exclusiveOnly.releaseIfOwner(key, reader)).as("the reader's token released as a writer's")
            .isFalse();
        assertThat(exclusiveOnly.renewIfOwner(key, reader, TestTimings.LONG_LEASE))
            .as("the reader's token renewed as a writer's").isFalse();
        assertThat(backend.releaseSharedIfOwner(key, reader)).isTrue();
        assertThat(exclusiveOnly.tryAcquire(key, writer, TestTimings.LONG_LEASE).isGranted()).isTrue();
        assertThat(backend.tryAcquireShared(key, reader, TestTimings.LONG_LEASE).isGranted())
            .as("a reader's attempt while the exclusive-only backend's writer holds").isFalse();
    }

    @Test
    void aWriterWhoseWaitEndedWithoutLeavingTheQueueNoLongerKeepsReadersOut() {
        NotifyingJdbcLeaseBackend backend = sharing();
        String key = uniqueKey();
        String reader = owner();
        assertThat(backend.tryAcquireShared(key, reader, TestTimings.LONG_LEASE).isGranted()).isTrue();
        assertThat(backend.tryAcquireOrQueue(key, owner(), TestTimings.LONG_LEASE, TestTimings.SHORT_LEASE)
            .isGranted()).isFalse();
        assertThat(backend.tryAcquireShared(key, owner(), TestTimings.LONG_LEASE).isGranted())
            .as("a reader's attempt while the writer waits").isFalse();
        // The writer vanished: its entry ends with its wait, by the database's clock.
        await().atMost(TestTimings.EVENTUALLY).pollInterval(TestTimings.POLL_INTERVAL)
            .until(() -> backend.tryAcquireShared(key, owner(), TestTimings.LONG_LEASE).isGranted());
        assertThat(backend.releaseSharedIfOwner(key, reader)).isTrue();
    }

    @Test
    void readersAndWritersOfThreeInstancesNeverOverlapAndEveryWriterOutranksTheLeasesBeforeIt() throws Exception {
        raceReadersAndWritersOfThreeInstances(this::sharing);
    }

    @Test
    void withoutReleaseNotificationReadersAndWritersOfThreeInstancesNeverOverlapEither() throws Exception {
        raceReadersAndWritersOfThreeInstances(() -> {
            JdbcLeaseBackend backend = JdbcLeaseBackend.create(pool, options.withReleaseNotification(false));
            assertThat(backend).isInstanceOf(SharingJdbcLeaseBackend.class);
            this.closeAfter.add(backend);
            return backend;
        });
    }

    private void raceReadersAndWritersOfThreeInstances(Supplier<JdbcLeaseBackend> instances) throws Exception {
        String key = uniqueKey();
        List<LockEngine> engines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LockEngine engine = new LockEngine(instances.get(),
                    LockEngineSettings.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(20)));
            this.closeAfter.add(engine);
            engines.add(engine);
        }
        AtomicInteger readersIn = new AtomicInteger();
        AtomicInteger writersIn = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        // The highest token of a lease released so far: every writer granted later must carry a higher one.
        AtomicLong highestReleased = new AtomicLong();
        AtomicInteger outranked = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                LockEngine engine = engines.get(t % engines.size());
                int thread = t;
                workers.add(threads.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        boolean write = (i + thread) % 4 == 0;
                        LockRequest request = LockRequest.of(key, TestTimings.LONG_LEASE)
                            .withMode(write ? LockMode.WRITE : LockMode.READ).withReentrant(false)
                            .withWaitTime(Duration.ofSeconds(60));
                        Lease lease = engine.acquire(request);
                        long token = lease.fencingToken().orElseThrow();
                        if (write) {
                            if (token <= highestReleased.get()) {
                                outranked.incrementAndGet();
                            }
                            if (writersIn.incrementAndGet() != 1 || readersIn.get() != 0) {
                                overlaps.incrementAndGet();
                            }
                            TimeUnit.MILLISECONDS.sleep(2);
                            writersIn.decrementAndGet();
                            writes.incrementAndGet();
                        }
                        else {
                            readersIn.incrementAndGet();
                            if (writersIn.get() != 0) {
                                overlaps.incrementAndGet();
                            }
                            TimeUnit.MILLISECONDS.sleep(2);
                            readersIn.decrementAndGet();
                            reads.incrementAndGet();
                        }
                        highestReleased.accumulateAndGet(token, Math::max);
                        lease.release();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(2, TimeUnit.MINUTES);
            }
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(writes.get()).isEqualTo(45);
        assertThat(reads.get()).isEqualTo(135);
        assertThat(overlaps.get()).as("holds in which a writer overlapped another holder").isZero();
        assertThat(outranked.get()).as("writers whose token was not above every earlier lease's").isZero();
    }

}
