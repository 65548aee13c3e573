package io.github.distlock.chaos;

import java.util.List;

import com.zaxxer.hikari.HikariDataSource;

import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.jdbc.JdbcLockSchema;
import io.github.distlock.testservers.DatabaseServer;
import io.github.distlock.testservers.PostgresServer;

/**
 * The JDBC backend on PostgreSQL (with release notification, so waiters queue) under the chaos harness: three
 * worker JVMs, two threads each, each engine on a pool of its own; and the server's crash and restart.
 */
class PostgresChaosTests extends WorkerFaultScenarios implements DatabaseCrashScenario {

    private PostgresServer postgres;

    @Override
    String backendName() {
        return "PostgreSQL";
    }

    @Override
    void startServer() {
        this.postgres = PostgresServer.start();
        try (HikariDataSource admin = new HikariDataSource()) {
            admin.setJdbcUrl(this.postgres.jdbcUrl());
            admin.setUsername(PostgresServer.SUPERUSER);
            JdbcLockSchema.createIfMissing(admin, JdbcLockOptions.defaults());
        }
    }

    @Override
    void stopServer() {
        if (this.postgres != null) {
            this.postgres.close();
        }
    }

    @Override
    List<String> backendSpec() {
        return List.of("jdbc", this.postgres.jdbcUrl(), PostgresServer.SUPERUSER, "-");
    }

    @Override
    public DatabaseServer database() {
        return this.postgres;
    }

}
