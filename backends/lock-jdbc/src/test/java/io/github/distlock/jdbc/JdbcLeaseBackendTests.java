package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.testservers.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@link JdbcBackendBehaviour behaviour} of the JDBC backend on each database, plus what only one database can
 * show: broken and refused connections and a crash on PostgreSQL, silent truncation on a non-strict MariaDB.
 */
class JdbcLeaseBackendTests {

    @Nested
    class OnPostgres extends JdbcBackendBehaviour {

        private static final String HOLDER_APPLICATION = "distlock-holder";

        private static final String LISTENER_APPLICATION = "distlock release listener";

        private static final String LISTENER_THREAD = "distlock-jdbc-hand-offs-";

        private static TestDatabase.Postgres database;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.postgres();
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        TestDatabase database() {
            return database;
        }

        private DataSource holderPool(String user, String password) {
            return closeLater(database.pool("holder-" + UUID.randomUUID(), 2, user, password, (HikariConfig config) -> {
                config.addDataSourceProperty("ApplicationName", HOLDER_APPLICATION);
                config.setConnectionTimeout(TestTimings.POOL_TIMEOUT.toMillis());
            }));
        }

        private long terminateHolderConnections() {
            return database.queryLong("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    + "WHERE application_name = '" + HOLDER_APPLICATION + "'");
        }

        private Instant expiryOf(JdbcLockOptions options, String key) throws Exception {
            try (Connection connection = database.admin().getConnection();
                    PreparedStatement statement = connection.prepareStatement(
                            "SELECT expires_at FROM " + options.qualifiedTableName() + " WHERE lock_key = ?")) {
                statement.setString(1, key);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getObject(1, java.time.OffsetDateTime.class).toInstant();
                }
            }
        }

        @Test
        void holderWhoseConnectionsAreTerminatedMidHoldRenewsThroughNewConnections() throws Exception {
            JdbcLockOptions options = database.createLockTable();
            LockEngine engine = engine(backend(holderPool(PostgresServer.SUPERUSER, ""), options));
            String key = uniqueKey();
            Lease lease = engine.acquire(LockRequest.of(key, TestTimings.RENEWED_LEASE).withReentrant(false));
            Instant firstExpiry = expiryOf(options, key);
            long terminated = 0;
            long until = System.nanoTime() + TestTimings.RENEWED_LEASE.multipliedBy(2).toNanos();
            while (System.nanoTime() - until < 0) {
                terminated += terminateHolderConnections();
                pause(Duration.ofMillis(100));
            }
            assertThat(terminated).as("holder connections terminated").isPositive();
            assertThat(lease.isHeld()).as("the lease after its connections were terminated").isTrue();
            await().atMost(TestTimings.EVENTUALLY).pollInterval(TestTimings.POLL_INTERVAL)
                .untilAsserted(() -> assertThat(expiryOf(options, key)).as("the expiry, renewed through new connections")
                    .isAfter(firstExpiry.plus(TestTimings.RENEWED_LEASE)));
            JdbcLeaseBackend competitor = backend(database.pool("competitor", 1), options);
            assertThat(competitor.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted()).isFalse();
            lease.release();
            assertThat(competitor.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
        }

        @Test
        void holderThatCannotReconnectIsToldItLostTheLeaseBeforeAnotherOwnerGetsIt() throws Exception {
            JdbcLockOptions options = database.createLockTable();
            String user = "holder" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            database.createUser(user, "secret");
            database.grantLockRights(user, options);
            LockEngine engine = engine(backend(holderPool(user, "secret"), options));
            AtomicReference<String> lossReason = new AtomicReference<>();
            engine.addLossListener((lost, reason) -> lossReason.set(reason));
            String key = uniqueKey();
            Lease lease = engine.acquire(LockRequest.of(key, TestTimings.RENEWED_LEASE).withReentrant(false));

            database.execute("ALTER ROLE " + user + " NOLOGIN");
            terminateHolderConnections();

            JdbcLeaseBackend competitor = backend(database.pool("competitor", 1), options);
            await().atMost(TestTimings.EVENTUALLY).pollInterval(TestTimings.POLL_INTERVAL)
                .until(() -> competitor.tryAcquire(key, owner(), TestTimings.LONG_LEASE), AcquireResult::isGranted);
            assertThat(lease.isHeld()).as("the cut-off holder's lease once another owner has the key").isFalse();
            // The listener hears it when the renewal that is waiting for a connection gives up (the pool's timeout).
            await().atMost(TestTimings.EVENTUALLY).pollInterval(TestTimings.POLL_INTERVAL)
                .untilAsserted(() -> assertThat(lossReason.get()).as("the reason the holder was told")
                    .contains("validity passed"));
        }

        /** An engine that would wait ten seconds between attempts without release notification. */
        private LockEngine slowPollingEngine(JdbcLeaseBackend backend) {
            return closeLater(new LockEngine(backend, LockEngineSettings.defaults()
                .withBackoff(TestTimings.SLOW_BACKOFF, TestTimings.SLOW_BACKOFF)));
        }

        /** Starts a waiter and lets it reach its wait; returns how long after {@code release} it got the key. */
        private Duration handOffAfter(LockEngine waiterEngine, String key, Runnable release) throws Exception {
            FutureTask<Long> waiter = new FutureTask<>(() -> {
                try (Lease lease = waiterEngine.acquire(LockRequest.of(key, TestTimings.LONG_LEASE)
                    .withWaitTime(TestTimings.EVENTUALLY)
                    .withReentrant(false))) {
                    return System.nanoTime();
                }
            });
            new Thread(waiter, "waiter").start();
            pause(TestTimings.WAITER_SETTLES);
            assertThat(waiter.isDone()).as("the waiter got the key before its release").isFalse();
            long released = System.nanoTime();
            release.run();
            return Duration.ofNanos(waiter.get(TestTimings.EVENTUALLY.toSeconds(), TimeUnit.SECONDS) - released);
        }

        @Test
        void releaseHandsTheKeyToAWaiterAtOnceThroughNotify() throws Exception {
            JdbcLockOptions options = database.createLockTable();
            DataSource pool = pool(4);
            JdbcLeaseBackend backend = backend(pool, options);
            assertThat(backend).isInstanceOf(NotifyingJdbcLeaseBackend.class);
            String key = uniqueKey();
            String holder = owner();
            assertThat(backend.tryAcquire(key, holder, TestTimings.LONG_LEASE).isGranted()).isTrue();
            Duration handOff = handOffAfter(slowPollingEngine(backend), key,
                    () -> assertThat(backend.releaseIfOwner(key, holder)).isTrue());
            assertThat(handOff).as("hand-off with a 10 s backoff and a 30 s lease").isLessThan(TestTimings.PROMPT);
        }

        @Test
        void listenerWhoseConnectionIsTerminatedWhileAWaiterWaitsReconnectsAndAnnouncesTheRelease() throws Exception {
            JdbcLockOptions options = database.createLockTable();
            JdbcLeaseBackend backend = backend(pool(4), options);
            String key = uniqueKey();
            String holder = owner();
            assertThat(backend.tryAcquire(key, holder, TestTimings.LONG_LEASE).isGranted()).isTrue();
            Duration handOff = handOffAfter(slowPollingEngine(backend), key, () -> {
                long listener = database.queryLong("SELECT MIN(pid) FROM pg_stat_activity "
                        + "WHERE application_name = '" + LISTENER_APPLICATION + "'");
                assertThat(database.queryLong("SELECT COUNT(pg_terminate_backend(" + listener + "))")).isEqualTo(1);
                await().atMost(TestTimings.EVENTUALLY).pollInterval(TestTimings.POLL_INTERVAL)
                    .until(() -> database.queryLong("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '"
                            + LISTENER_APPLICATION + "' AND pid <> " + listener) == 1);
                assertThat(backend.releaseIfOwner(key, holder)).isTrue();
            });
            assertThat(handOff).as("hand-off through the new listening connection").isLessThan(TestTimings.PROMPT);
        }

        private Set<Long> listeningConnections() {
            return new HashSet<>(database.queryLongs("SELECT pid FROM pg_stat_activity WHERE application_name = '"
                    + LISTENER_APPLICATION + "'"));
        }

        private static Set<Thread> listenerThreads() {
            return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(LISTENER_THREAD) && thread.isAlive())
                .collect(Collectors.toSet());
        }

        private static <T> Set<T> without(Set<T> all, Set<T> others) {
            Set<T> remaining = new HashSet<>(all);
            remaining.removeAll(others);
            return remaining;
        }

        @Test
        void listenerGivesBackItsConnectionAndEndsItsThreadOnceNobodyWaitsAndTheNextWaiterStartsItAgain()
                throws Exception {
            JdbcLockOptions options = database.createLockTable();
            HikariDataSource pool = closeLater(database.pool("listener-lifetime", 4));
            JdbcLeaseBackend backend = backend(pool, options);
            LockEngine waiterEngine = slowPollingEngine(backend);
            Set<Long> otherConnections = listeningConnections();
            Set<Thread> otherThreads = listenerThreads();
            Set<Long> connectionsWhileWaiting = new HashSet<>();
            Set<Thread> threadsWhileWaiting = new HashSet<>();
            String key = uniqueKey();
            String holder = owner();
            assertThat(backend.tryAcquire(key, holder, TestTimings.LONG_LEASE).isGranted()).isTrue();
            handOffAfter(waiterEngine, key, () -> {
                connectionsWhileWaiting.addAll(without(listeningConnections(), otherConnections));
                threadsWhileWaiting.addAll(without(listenerThreads(), otherThreads));
                assertThat(backend.releaseIfOwner(key, holder)).isTrue();
            });
            assertThat(connectionsWhileWaiting).as("listening connections while a waiter waits").hasSize(1);
            assertThat(threadsWhileWaiting).as("listener threads while a waiter waits").hasSize(1);

            await().atMost(TestTimings.EVENTUALLY).pollInterval(TestTimings.POLL_INTERVAL).untilAsserted(() -> {
                assertThat(listeningConnections()).as("listening connections once nobody waits")
                    .doesNotContainAnyElementsOf(connectionsWhileWaiting);
                assertThat(threadsWhileWaiting).as("the listener thread once nobody waits").noneMatch(Thread::isAlive);
                assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("connections borrowed from the pool")
                    .isZero();
            });

            String nextHolder = owner();
            assertThat(backend.tryAcquire(key, nextHolder, TestTimings.LONG_LEASE).isGranted()).isTrue();
            Duration handOff = handOffAfter(waiterEngine, key,
                    () -> assertThat(backend.releaseIfOwner(key, nextHolder)).isTrue());
            assertThat(handOff).as("hand-off to a waiter after the listener had stopped")
                .isLessThan(TestTimings.PROMPT);
        }

        @Test
        void tokensKeepIncreasingAfterTheServerCrashes() {
            JdbcLockOptions options = database.createLockTable();
            String key = uniqueKey();
            long beforeCrash;
            try (var pool = database.pool("before-crash", 1)) {
                JdbcLeaseBackend backend = JdbcLeaseBackend.create(pool, options);
                String owner = owner();
                beforeCrash = backend.tryAcquire(key, owner, TestTimings.LONG_LEASE).fencingToken().orElseThrow();
                assertThat(backend.releaseIfOwner(key, owner)).isTrue();
            }
            database.server().kill();
            database.server().restart();
            database.evictAdminConnections();
            try (var pool = database.pool("after-crash", 1)) {
                JdbcLeaseBackend backend = JdbcLeaseBackend.create(pool, options);
                AcquireResult afterCrash = backend.tryAcquire(key, owner(), TestTimings.LONG_LEASE);
                assertThat(afterCrash.fencingToken().orElseThrow()).as("token granted after crash recovery")
                    .isGreaterThan(beforeCrash);
                assertThat(backend.tryAcquire(uniqueKey(), owner(), TestTimings.LONG_LEASE).fencingToken().orElseThrow())
                    .as("token of a new key after crash recovery").isGreaterThan(beforeCrash);
            }
        }

    }

    @Nested
    class OnMariaDb extends JdbcBackendBehaviour {

        private static TestDatabase.MariaDb database;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.mariaDb();
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        TestDatabase database() {
            return database;
        }

        @Test
        void mysqlDriverAgainstMariaDbIsDetectedAndLocksTheSameKeys() {
            JdbcLockOptions options = database.createLockTable();
            DataSource connectorJ = closeLater(database.pool("connector-j", 2, database.adminUser(), "",
                    config -> config.setJdbcUrl(database.mysqlDriverUrl())));
            JdbcLeaseBackend mysqlDriver = backend(connectorJ, options);
            JdbcLeaseBackend mariaDbDriver = backend(pool(2), options);
            assertThat(mysqlDriver.platform()).isEqualTo(JdbcPlatform.MARIADB);
            String key = uniqueKey() + "-\u9375 ";
            String owner = owner();
            assertThat(mysqlDriver.tryAcquire(key, owner, TestTimings.LONG_LEASE).fencingToken()).isPresent();
            assertThat(mariaDbDriver.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted())
                .as("the same key through the other driver").isFalse();
            assertThat(mariaDbDriver.tryAcquire(key.strip(), owner(), TestTimings.LONG_LEASE).isGranted())
                .as("the key without its trailing space").isTrue();
            assertThat(mysqlDriver.renewIfOwner(key, owner, TestTimings.LONG_LEASE)).isTrue();
            assertThat(mysqlDriver.releaseIfOwner(key, owner)).isTrue();
            assertThat(mariaDbDriver.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
        }

        @Test
        void nonStrictSqlModeThatWouldTruncateKeysIsAStartupError() {
            JdbcLockOptions options = JdbcLockOptions.defaults().withTable(null, TestDatabase.randomTableName());
            for (String ddl : JdbcLockSchema.statements(JdbcPlatform.MARIADB, options)) {
                database.execute(ddl.replace("VARBINARY(765)", "VARBINARY(120)"));
            }
            DataSource lenient = closeLater(database.pool("lenient", 1, database.adminUser(), "",
                    config -> config.setConnectionInitSql("SET SESSION sql_mode = ''")));
            assertThatThrownBy(() -> JdbcLeaseBackend.create(lenient, options)).isInstanceOf(LockTableException.class)
                .hasMessageContaining("cannot store keys of 255 characters unchanged");
        }

    }

    @Nested
    class OnH2 extends JdbcBackendBehaviour {

        private static TestDatabase database;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.h2();
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        TestDatabase database() {
            return database;
        }

    }

}
