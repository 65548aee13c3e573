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
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(this.jdbcUrl);
        config.setUsername("postgres");
        config.setMaximumPoolSize(POOL_SIZE);
        HikariDataSource pool = new HikariDataSource(config);
        JdbcLeaseBackend backend = JdbcLeaseBackend.create(pool, JdbcLockOptions.defaults());
        return DistlockContender.engineNode(new LockEngine(backend), backend, pool);
    }

}
