package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.testkit.server.PostgresServer;
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
