package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.testservers.MariaDbServer;
import io.github.distlock.testservers.PostgresServer;

/**
 * A database for one test class on one platform: a real server started for it (PostgreSQL, MariaDB) or an
 * in-memory H2, with connection pools that are closed with it, and the platform's way of creating users and granting
 * the lock table's rights.
 *
 * <p>Not thread-safe for set-up; its pools are.
 */
abstract class TestDatabase implements AutoCloseable {

    private final List<HikariDataSource> pools = new ArrayList<>();

    private HikariDataSource admin;

    static Postgres postgres() {
        return new Postgres();
    }

    static MariaDb mariaDb() {
        return new MariaDb();
    }

    static TestDatabase h2() {
        return new H2();
    }

    abstract JdbcPlatform platform();

    abstract String jdbcUrl();

    abstract String adminUser();

    /** Creates a user that can log in and has no rights on any lock table. */
    abstract void createUser(String user, String password);

    /** Grants exactly the rights the schema script documents for the application's user. */
    abstract void grantLockRights(String user, JdbcLockOptions options);

    /** Creates an empty schema (a database on MariaDB). */
    abstract void createSchema(String schema);

    /** Returns the administrator's pool, created on first use. */
    final synchronized DataSource admin() {
        if (this.admin == null) {
            this.admin = pool("admin", 4);
        }
        return this.admin;
    }

    /** Replaces the administrator's connections, for example after the server was restarted. */
    final synchronized void evictAdminConnections() {
        if (this.admin != null) {
            this.admin.getHikariPoolMXBean().softEvictConnections();
        }
    }

    /** Creates a pool of the administrator's connections. */
    final HikariDataSource pool(String name, int size) {
        return pool(name, size, adminUser(), "", config -> {
        });
    }

    /** Creates a pool, closed with this database. */
    final synchronized HikariDataSource pool(String name, int size, String user, String password,
            Consumer<HikariConfig> customizer) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl());
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(TestTimings.POOL_TIMEOUT.multipliedBy(4).toMillis());
        customizer.accept(config);
        HikariDataSource pool = new HikariDataSource(config);
        this.pools.add(pool);
        return pool;
    }

    /** Creates a lock table with a random name from the platform's script, and returns its options. */
    final JdbcLockOptions createLockTable() {
        JdbcLockOptions options = JdbcLockOptions.defaults().withTable(null, randomTableName());
        JdbcLockSchema.createIfMissing(admin(), options);
        return options;
    }

    final void execute(String... statements) {
        try (Connection connection = admin().getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    final long queryLong(String sql) {
        try (Connection connection = admin().getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    final List<Long> queryLongs(String sql) {
        List<Long> values = new ArrayList<>();
        try (Connection connection = admin().getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getLong(1));
            }
            return values;
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static String randomTableName() {
        return "locks_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Override
    public synchronized void close() {
        for (int i = this.pools.size() - 1; i >= 0; i--) {
            this.pools.get(i).close();
        }
        this.pools.clear();
    }

    static final class Postgres extends TestDatabase {

        private final PostgresServer server = PostgresServer.start();

        @Override
        JdbcPlatform platform() {
            return JdbcPlatform.POSTGRESQL;
        }

        @Override
        String jdbcUrl() {
            return this.server.jdbcUrl();
        }

        @Override
        String adminUser() {
            return PostgresServer.SUPERUSER;
        }

        PostgresServer server() {
            return this.server;
        }

        @Override
        void createUser(String user, String password) {
            execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
        }

        @Override
        void grantLockRights(String user, JdbcLockOptions options) {
            execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + options.qualifiedTableName() + " TO " + user,
                    "GRANT USAGE ON SEQUENCE " + options.qualifiedSequenceName() + " TO " + user);
        }

        @Override
        void createSchema(String schema) {
            execute("CREATE SCHEMA " + schema);
        }

        @Override
        public synchronized void close() {
            super.close();
            this.server.close();
        }

    }

    static final class MariaDb extends TestDatabase {

        private static final String DATABASE = "distlock";

        private final MariaDbServer server = MariaDbServer.start();

        MariaDb() {
            try (Connection connection = java.sql.DriverManager.getConnection(this.server.jdbcUrl(""),
                    MariaDbServer.ROOT_USER, ""); Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
            catch (SQLException ex) {
                this.server.close();
                throw new IllegalStateException(ex);
            }
        }

        @Override
        JdbcPlatform platform() {
            return JdbcPlatform.MARIADB;
        }

        /** The URL of the same database for MySQL's driver (Connector/J). */
        String mysqlDriverUrl() {
            return "jdbc:mysql://127.0.0.1:" + this.server.port() + "/" + DATABASE + "?sslMode=DISABLED";
        }

        @Override
        String jdbcUrl() {
            return this.server.jdbcUrl(DATABASE);
        }

        @Override
        String adminUser() {
            return MariaDbServer.ROOT_USER;
        }

        @Override
        void createUser(String user, String password) {
            // A user with rights on the application's own data, so that it can use the database at all.
            execute("CREATE TABLE IF NOT EXISTS application_data (id INT)",
                    "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'",
                    "GRANT SELECT ON " + DATABASE + ".application_data TO '" + user + "'@'%'");
        }

        @Override
        void grantLockRights(String user, JdbcLockOptions options) {
            String schema = (options.schema() != null) ? options.schema() : DATABASE;
            execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + schema + "." + options.tableName() + " TO '" + user
                    + "'@'%'", "GRANT SELECT, INSERT ON " + schema + "." + options.tableName() + "_token_seq TO '"
                    + user + "'@'%'");
        }

        @Override
        void createSchema(String schema) {
            execute("CREATE DATABASE " + schema);
        }

        @Override
        public synchronized void close() {
            super.close();
            this.server.close();
        }

    }

    private static final class H2 extends TestDatabase {

        private final String url = "jdbc:h2:mem:distlock-" + UUID.randomUUID();

        H2() {
            // Set once by the administrator (other users may not): keep the database while no connection is open.
            execute("SET DB_CLOSE_DELAY -1");
        }

        @Override
        JdbcPlatform platform() {
            return JdbcPlatform.H2;
        }

        @Override
        String jdbcUrl() {
            return this.url;
        }

        @Override
        String adminUser() {
            return "sa";
        }

        @Override
        void createUser(String user, String password) {
            execute("CREATE USER " + user + " PASSWORD '" + password + "'");
        }

        @Override
        void grantLockRights(String user, JdbcLockOptions options) {
            execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + options.qualifiedTableName() + " TO " + user);
        }

        @Override
        void createSchema(String schema) {
            execute("CREATE SCHEMA " + schema);
        }

        @Override
        public synchronized void close() {
            try {
                execute("SHUTDOWN");
            }
            catch (IllegalStateException ex) {
                // Already closed, for example by the JVM's shutdown.
            }
            super.close();
        }

    }

}
