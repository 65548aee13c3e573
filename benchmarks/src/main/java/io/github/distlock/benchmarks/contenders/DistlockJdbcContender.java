package io.github.distlock.benchmarks.contenders;

import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.jdbc.JdbcLeaseBackend;
import io.github.distlock.jdbc.JdbcLockOptions;

/**
 * This project's JDBC backend on PostgreSQL with default options (so {@code NOTIFY} wakes waiters), under
 * {@link LockEngine} with default settings. Each node has its own connection pool, backend (with its {@code LISTEN}
 * connection) and engine. The lock table must exist; the harness creates it.
 */
final class DistlockJdbcContender extends PostgresContender {

    DistlockJdbcContender(String jdbcUrl) {
        super(jdbcUrl);
    }

    @Override
    Node open() {
        HikariDataSource pool = pool();
        JdbcLeaseBackend backend = JdbcLeaseBackend.create(pool, JdbcLockOptions.defaults());
        return DistlockContender.engineNode(new LockEngine(backend), backend, pool);
    }

}
