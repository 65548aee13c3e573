package io.github.distlock.benchmarks.contenders;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A contender whose nodes connect to one PostgreSQL database, each through a connection pool of its own. Thread-safe.
 */
abstract class PostgresContender extends TrackingContender {

    /** Connections per node: one per thread of the 16-thread scenario, plus one (this project's renewals). */
    static final int POOL_SIZE = 17;

    final String jdbcUrl;

    PostgresContender(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /**
     * Opens the connection pool of one node, the same for every PostgreSQL contender: HikariCP with at most
     * {@link #POOL_SIZE} connections. It starts with one and grows on demand, so that eight nodes on one key (one
     * thread each) beside every contender's sixteen-thread client stay within the server's 200 connections.
     * @return the pool
     */
    HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(this.jdbcUrl);
        config.setUsername("postgres");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        return new HikariDataSource(config);
    }

}
