package io.github.distlock.benchmarks.contenders;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.jdbc.JdbcLeaseBackend;
import io.github.distlock.jdbc.JdbcLockOptions;

/**
 * This project's JDBC backend on PostgreSQL with default options (so {@code NOTIFY} wakes waiters), under
 * {@link LockEngine} with default settings. Each node has its own connection pool, backend (with its {@code LISTEN}
 * connection) and engine. The lock table must exist; the harness creates it.
 */
final class DistlockJdbcContender extends TrackingContender {

    /** Connections per node: one per thread of the 16-thread scenario, plus one for renewals. */
    static final int POOL_SIZE = 17;

    private final String jdbcUrl;

    DistlockJdbcContender(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    @Override
    Node open() {
        HikariDataSource pool = pool(this.jdbcUrl);
        JdbcLeaseBackend backend = JdbcLeaseBackend.create(pool, JdbcLockOptions.defaults());
        return DistlockContender.engineNode(new LockEngine(backend), backend, pool);
    }

    /**
     * Opens the connection pool of one node, the same for every PostgreSQL contender: HikariCP with at most
     * {@link #POOL_SIZE} connections. It starts with one and grows on demand, so that eight nodes on one key (one
     * thread each) beside every contender's sixteen-thread client stay within the server's 200 connections.
     * @param jdbcUrl the database
     * @return the pool
     */
    static HikariDataSource pool(String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername("postgres");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        return new HikariDataSource(config);
    }

}
