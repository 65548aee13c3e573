package io.github.distlock.benchmarks.contenders;

import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.jdbc.JdbcLeaseBackend;
import io.github.distlock.jdbc.JdbcLockOptions;

import org.jspecify.annotations.Nullable;

/**
 * This project's JDBC backend on PostgreSQL with default options (so {@code NOTIFY} wakes waiters), under
 * {@link LockEngine} with default settings. Each node has its own connection pool, backend (with its {@code LISTEN}
 * connection) and engine. The lock table must exist; the harness creates it.
 */
final class DistlockJdbcContender implements LockContender {

    /** Connections per node: one per thread of the 16-thread scenario, plus one for renewals. */
    static final int POOL_SIZE = 17;

    private static final Duration LEASE_TIME = Duration.ofSeconds(30);

    private final String jdbcUrl;

    private final NodeRegistry nodes = new NodeRegistry();

    DistlockJdbcContender(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    @Override
    public Node openNode() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(this.jdbcUrl);
        config.setUsername("postgres");
        config.setMaximumPoolSize(POOL_SIZE);
        HikariDataSource pool = new HikariDataSource(config);
        JdbcLeaseBackend backend = JdbcLeaseBackend.create(pool, JdbcLockOptions.defaults());
        LockEngine engine = new LockEngine(backend);
        return this.nodes.track(new Node() {

            @Override
            public @Nullable Held acquire(String key, Duration wait) throws InterruptedException {
                try {
                    Lease lease = engine.acquire(LockRequest.of(key, LEASE_TIME).withWaitTime(wait));
                    return lease::release;
                }
                catch (LockNotAcquiredException ex) {
                    return null;
                }
            }

            @Override
            public void close() {
                engine.close();
                backend.close();
                pool.close();
            }

        });
    }

    @Override
    public void close() {
        this.nodes.closeAll();
    }

}
