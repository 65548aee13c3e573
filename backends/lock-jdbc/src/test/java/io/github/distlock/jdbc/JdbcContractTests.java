package io.github.distlock.jdbc;

import javax.sql.DataSource;

import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.testkit.FencingLeaseBackendContractTests;
import io.github.distlock.testkit.QueueingContract;
import io.github.distlock.testkit.SharedLeaseContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The backend contract, fencing included, on each database: a PostgreSQL and a MariaDB server started for these
 * tests, and an in-memory H2. Each platform's lock table is created from its schema script. Every platform passes
 * the shared-lease contract (readers in the row, kept out by a waiting writer: in PostgreSQL's queue, in the row's
 * intents on MariaDB and H2); PostgreSQL also passes the queueing contract (waiters queue in the row, a hand-off is
 * announced with NOTIFY), and without release notification passes the shared-lease contract alone.
 */
class JdbcContractTests {

    /** Enough connections for the kit's eight contending threads and the engine's renewals. */
    private static final int POOL_SIZE = 10;

    @Nested
    class Postgres extends FencingLeaseBackendContractTests implements QueueingContract, SharedLeaseContract {

        private static TestDatabase database;

        private static DataSource pool;

        private static JdbcLockOptions options;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.postgres();
            pool = database.pool("contract", POOL_SIZE);
            options = database.createLockTable();
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        protected FencingLeaseBackend createBackend() {
            return JdbcLeaseBackend.create(pool, options);
        }

    }

    @Nested
    class PostgresWithoutNotification extends FencingLeaseBackendContractTests implements SharedLeaseContract {

        private static TestDatabase database;

        private static DataSource pool;

        private static JdbcLockOptions options;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.postgres();
            pool = database.pool("contract", POOL_SIZE);
            options = database.createLockTable().withReleaseNotification(false);
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        protected FencingLeaseBackend createBackend() {
            return JdbcLeaseBackend.create(pool, options);
        }

    }

    @Nested
    class MariaDb extends FencingLeaseBackendContractTests implements SharedLeaseContract {

        private static TestDatabase database;

        private static DataSource pool;

        private static JdbcLockOptions options;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.mariaDb();
            pool = database.pool("contract", POOL_SIZE);
            options = database.createLockTable();
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        protected FencingLeaseBackend createBackend() {
            return JdbcLeaseBackend.create(pool, options);
        }

    }

    @Nested
    class H2 extends FencingLeaseBackendContractTests implements SharedLeaseContract {

        private static TestDatabase database;

        private static DataSource pool;

        private static JdbcLockOptions options;

        @BeforeAll
        static void startDatabase() {
            database = TestDatabase.h2();
            pool = database.pool("contract", POOL_SIZE);
            options = database.createLockTable();
        }

        @AfterAll
        static void stopDatabase() {
            database.close();
        }

        @Override
        protected FencingLeaseBackend createBackend() {
            return JdbcLeaseBackend.create(pool, options);
        }

    }

}
