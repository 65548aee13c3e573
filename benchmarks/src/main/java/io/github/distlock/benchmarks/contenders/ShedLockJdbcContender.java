package io.github.distlock.benchmarks.contenders;

import com.zaxxer.hikari.HikariDataSource;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * ShedLock's {@link JdbcTemplateLockProvider} on PostgreSQL, configured as ShedLock's documentation recommends:
 * {@code usingDbTime()}, so the lock is one {@code INSERT ... ON CONFLICT DO UPDATE} in database time, and the
 * unlock an {@code UPDATE} of {@code lock_until} without an owner check; each in a transaction of its own
 * ({@code REQUIRES_NEW} over a {@code DataSourceTransactionManager} it creates). ShedLock never waits, so it is
 * polled every millisecond, like the floor. Each node has its own provider and connection pool; the
 * {@code shedlock} table must exist, and the harness creates it.
 */
final class ShedLockJdbcContender extends PostgresContender {

    /** ShedLock's table for PostgreSQL, as its documentation gives it. */
    static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL, "
            + "lock_until TIMESTAMP NOT NULL, locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, "
            + "PRIMARY KEY (name))";

    ShedLockJdbcContender(String jdbcUrl) {
        super(jdbcUrl);
    }

    @Override
    Node open() {
        HikariDataSource pool = pool();
        JdbcTemplateLockProvider provider = new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration
            .builder()
            .withJdbcTemplate(new JdbcTemplate(pool))
            .usingDbTime()
            .build());
        return ShedLockContender.pollingNode(provider, pool::close);
    }

}
