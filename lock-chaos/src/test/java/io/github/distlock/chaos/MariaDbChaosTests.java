package io.github.distlock.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;

import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.jdbc.JdbcLockSchema;
import io.github.distlock.testservers.DatabaseServer;
import io.github.distlock.testservers.MariaDbServer;

/**
 * The JDBC backend on MariaDB (row locks, no release notification, so waiters poll) under the chaos harness: three
 * worker JVMs, two threads each, each engine on a pool of its own; and the server's crash and restart.
 */
class MariaDbChaosTests extends WorkerFaultScenarios implements DatabaseCrashScenario {

    private static final String DATABASE = "distlock";

    private MariaDbServer mariaDb;

    @Override
    String backendName() {
        return "MariaDB";
    }

    @Override
    void startServer() throws SQLException {
        this.mariaDb = MariaDbServer.start();
        try (Connection connection = DriverManager.getConnection(this.mariaDb.jdbcUrl(""), MariaDbServer.ROOT_USER,
                ""); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + DATABASE);
        }
        try (HikariDataSource admin = new HikariDataSource()) {
            admin.setJdbcUrl(this.mariaDb.jdbcUrl(DATABASE));
            admin.setUsername(MariaDbServer.ROOT_USER);
            JdbcLockSchema.createIfMissing(admin, JdbcLockOptions.defaults());
        }
    }

    @Override
    void stopServer() {
        if (this.mariaDb != null) {
            this.mariaDb.close();
        }
    }

    @Override
    List<String> backendSpec() {
        return List.of("jdbc", this.mariaDb.jdbcUrl(DATABASE), MariaDbServer.ROOT_USER, "-");
    }

    @Override
    public DatabaseServer database() {
        return this.mariaDb;
    }

}
