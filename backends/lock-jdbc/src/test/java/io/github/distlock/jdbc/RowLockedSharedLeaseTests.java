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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Shared leases on MariaDB and H2 ({@link SharingJdbcLeaseBackend}, decided under the key's row lock), beyond the
 * contract: what a refused writer is told, a reader that stops renewing, a pool without auto-commit, a table from
 * before shared leases, and readers and writers of several application instances racing on one key.
 */
class RowLockedSharedLeaseTests {

    abstract static class Behaviour {

        private final List<AutoCloseable> closeAfter = new ArrayList<>();

        abstract TestDatabase database();

        abstract JdbcLockOptions options();

        abstract DataSource pool();

        /** Creates the table as this platform's script created it before shared leases. */
        abstract void createTableWithoutSharedColumns(JdbcLockOptions options);

        @AfterEach
        void close() throws Exception {
            for (int i = this.closeAfter.size() - 1; i >= 0; i--) {
                this.closeAfter.get(i).close();
            }
            this.closeAfter.clear();
        }

        final SharingJdbcLeaseBackend sharing(DataSource pool) {
            SharingJdbcLeaseBackend backend = (SharingJdbcLeaseBackend) JdbcLeaseBackend.create(pool, options());
            this.closeAfter.add(backend);
            return backend;
        }

        final LockEngine engine(SharingJdbcLeaseBackend backend) {
            LockEngine engine = new LockEngine(backend,
                    LockEngineSettings.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(20)));
            this.closeAfter.add(engine);
            return engine;
        }

        static String uniqueKey() {
            return "shared-" + TestDatabase.randomTableName();
        }

        static String owner() {
            return "owner-" + TestDatabase.randomTableName();
        }

        @Test
        void aWriterRefusedWhileReadersHoldIsToldTheLongestRemainingReaderLease() {
            SharingJdbcLeaseBackend backend = sharing(pool());
            String key = uniqueKey();
            assertThat(backend.tryAcquireShared(key, owner(), Duration.ofSeconds(5)).isGranted()).isTrue();
            assertThat(backend.tryAcquireShared(key, owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
            assertThat(backend.tryAcquireShared(key, owner(), Duration.ofSeconds(10)).isGranted()).isTrue();
            AcquireResult plain = backend.tryAcquire(key, owner(), TestTimings.LONG_LEASE);
            String waiting = owner();
            AcquireResult first = backend.tryAcquireAsWaitingWriter(key, waiting, TestTimings.LONG_LEASE,
                    Duration.ofSeconds(1));
            AcquireResult recorded = backend.tryAcquireAsWaitingWriter(key, waiting, TestTimings.LONG_LEASE,
                    Duration.ofSeconds(1));
            for (AcquireResult refused : List.of(plain, first, recorded)) {
                assertThat(refused.isGranted()).isFalse();
                assertThat(refused.holderRemaining()).as("the remaining time reported by %s", refused)
                    .hasValueSatisfying(remaining -> assertThat(remaining)
                        .isGreaterThan(Duration.ofSeconds(10)).isLessThanOrEqualTo(TestTimings.LONG_LEASE));
            }
            backend.endWriterIntent(key, waiting);
        }

        @Test
        void aReaderThatStopsRenewingFreesTheKeyForAWaitingWriterWhenItsLeaseEnds() throws Exception {
            SharingJdbcLeaseBackend backend = sharing(pool());
            String key = uniqueKey();
            // The reader's process died: its lease is never renewed nor released.
            assertThat(backend.tryAcquireShared(key, owner(), TestTimings.SHORT_LEASE).isGranted()).isTrue();
            Lease writer = engine(backend).acquire(LockRequest.of(key, TestTimings.LONG_LEASE)
                .withWaitTime(TestTimings.EVENTUALLY));
            assertThat(backend.tryAcquireShared(key, owner(), TestTimings.LONG_LEASE).isGranted())
                .as("a reader's attempt while the writer holds").isFalse();
            writer.release();
            String reader = owner();
            assertThat(backend.tryAcquireShared(key, reader, TestTimings.LONG_LEASE).isGranted())
                .as("a reader's attempt once the writer released: its granted wait left no intent behind").isTrue();
            assertThat(backend.releaseSharedIfOwner(key, reader)).isTrue();
        }

        @Test
        void sharedLeasesAndIntentsAreCommittedOnAPoolWithoutAutoCommit() {
            DataSource manualCommit = database().pool("manual-commit", 2, database().adminUser(), "",
                    config -> config.setAutoCommit(false));
            SharingJdbcLeaseBackend backend = sharing(manualCommit);
            SharingJdbcLeaseBackend other = sharing(pool());
            String key = uniqueKey();
            String reader = owner();
            assertThat(backend.tryAcquireShared(key, reader, TestTimings.LONG_LEASE).isGranted()).isTrue();
            assertThat(other.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted())
                .as("another instance's writer while the reader holds").isFalse();
            String writer = owner();
            assertThat(backend.tryAcquireAsWaitingWriter(key, writer, TestTimings.LONG_LEASE, TestTimings.LONG_LEASE)
                .isGranted()).isFalse();
            assertThat(other.tryAcquireShared(key, owner(), TestTimings.LONG_LEASE).isGranted())
                .as("another instance's reader while the writer waits").isFalse();
            assertThat(other.releaseSharedIfOwner(key, reader)).isTrue();
            backend.endWriterIntent(key, writer);
            String second = owner();
            assertThat(other.tryAcquireShared(key, second, TestTimings.LONG_LEASE).isGranted())
                .as("another instance's reader once the writer ended its intent").isTrue();
            assertThat(backend.releaseSharedIfOwner(key, second)).isTrue();
        }

        @Test
        void aTableWithoutTheSharedLeasesColumnsIsRefusedAndWorksOnceTheScriptRunsAgain() {
            JdbcLockOptions old = JdbcLockOptions.defaults().withTable(null, TestDatabase.randomTableName());
            createTableWithoutSharedColumns(old);
            DataSource connections = database().pool("upgrade", 2);
            assertThatThrownBy(() -> JdbcLeaseBackend.create(connections, old))
                .isInstanceOf(LockTableException.class)
                .hasMessageContaining("may lack the shared leases' columns readers and waiters, which running the "
                        + "script again adds");
            JdbcLockSchema.createIfMissing(database().admin(), old);
            try (JdbcLeaseBackend upgraded = JdbcLeaseBackend.create(connections, old)) {
                assertThat(upgraded).isInstanceOf(SharingJdbcLeaseBackend.class);
                assertThat(((SharingJdbcLeaseBackend) upgraded).tryAcquireShared(uniqueKey(), "upgraded-reader",
                        Duration.ofSeconds(5)).isGranted()).isTrue();
            }
        }

        @Test
        void readersAndWritersOfThreeInstancesNeverOverlapAndEveryWriterOutranksTheLeasesBeforeIt()
                throws Exception {
            String key = uniqueKey();
            List<LockEngine> engines = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                engines.add(engine(sharing(pool())));
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

    @Nested
    class OnMariaDb extends Behaviour {

        private static TestDatabase database;

        private static JdbcLockOptions options;

        private static DataSource pool;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.mariaDb();
            options = database.createLockTable();
            pool = database.pool("shared", 12);
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        TestDatabase database() {
            return database;
        }

        @Override
        JdbcLockOptions options() {
            return options;
        }

        @Override
        DataSource pool() {
            return pool;
        }

        @Override
        void createTableWithoutSharedColumns(JdbcLockOptions old) {
            database.execute("CREATE TABLE " + old.qualifiedTableName() + " (lock_key VARBINARY(765) NOT NULL "
                    + "PRIMARY KEY, owner_token VARBINARY(128) NOT NULL, fencing_token BIGINT NOT NULL, "
                    + "expires_at DATETIME(6) NOT NULL, INDEX " + old.expiryIndexName() + " (expires_at)) "
                    + "ENGINE = InnoDB", "CREATE SEQUENCE " + old.qualifiedSequenceName() + " ENGINE = InnoDB");
        }

    }

    @Nested
    class OnH2 extends Behaviour {

        private static TestDatabase database;

        private static JdbcLockOptions options;

        private static DataSource pool;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.h2();
            options = database.createLockTable();
            pool = database.pool("shared", 12);
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        TestDatabase database() {
            return database;
        }

        @Override
        JdbcLockOptions options() {
            return options;
        }

        @Override
        DataSource pool() {
            return pool;
        }

        @Override
        void createTableWithoutSharedColumns(JdbcLockOptions old) {
            database.execute("CREATE TABLE " + old.qualifiedTableName() + " (lock_key VARCHAR(255) NOT NULL "
                    + "PRIMARY KEY, owner_token VARCHAR(128) NOT NULL, fencing_token BIGINT NOT NULL, "
                    + "expires_at TIMESTAMP(6) WITH TIME ZONE NOT NULL)",
                    "CREATE SEQUENCE " + old.qualifiedSequenceName());
        }

        @Test
        void leaseEndsCountInTheDatabasesTimeWhateverTheSessionsTimeZone() {
            // Entries count microseconds since the epoch; expires_at written from them must be the same instant in
            // a session whose time zone is far from UTC, where exclusive statements read it.
            DataSource farFromUtc = database.pool("far-from-utc", 2, "sa", "",
                    config -> config.setConnectionInitSql("SET TIME ZONE '+11:00'"));
            SharingJdbcLeaseBackend backend = sharing(farFromUtc);
            String key = uniqueKey();
            String reader = owner();
            assertThat(backend.tryAcquireShared(key, reader, TestTimings.LONG_LEASE).isGranted()).isTrue();
            for (SharingJdbcLeaseBackend writer : List.of(backend, sharing(pool))) {
                assertThat(writer.tryAcquire(key, owner(), TestTimings.LONG_LEASE).holderRemaining())
                    .hasValueSatisfying(remaining -> assertThat(remaining)
                        .isGreaterThan(TestTimings.LONG_LEASE.minusSeconds(10))
                        .isLessThanOrEqualTo(TestTimings.LONG_LEASE));
            }
            assertThat(backend.releaseSharedIfOwner(key, reader)).isTrue();
        }

    }

}
