package io.github.distlock.benchmarks.contenders;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The floor on PostgreSQL: the least a safe lock in a table can do. One upsert that takes the key if no row exists or
 * the row has expired (database time), and an owner-checked {@code DELETE} to release: two statements, each its own
 * transaction (auto-commit), no fencing token, no renewal, no notification. A waiter polls every millisecond. Same
 * HikariCP pool as {@link DistlockJdbcContender}, so the difference between the two is the lock protocol alone.
 */
final class PostgresFloorContender extends PostgresContender {

    /** The floor's own table, created by the harness. */
    static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS bench_floor_lock (lock_key VARCHAR(255) PRIMARY KEY, "
            + "owner VARCHAR(64) NOT NULL, expires_at TIMESTAMPTZ NOT NULL)";

    // Inserts, or overwrites an expired row; a live row of another owner leaves zero rows changed.
    private static final String ACQUIRE = "INSERT INTO bench_floor_lock (lock_key, owner, expires_at) "
            + "VALUES (?, ?, now() + interval '30 seconds') ON CONFLICT (lock_key) DO UPDATE "
            + "SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at WHERE bench_floor_lock.expires_at <= now()";

    private static final String RELEASE = "DELETE FROM bench_floor_lock WHERE lock_key = ? AND owner = ?";

    PostgresFloorContender(String jdbcUrl) {
        super(jdbcUrl);
    }

    @Override
    Node open() {
        HikariDataSource pool = pool();
        String ownerPrefix = Long.toHexString(System.nanoTime()) + ":" + System.identityHashCode(pool) + ":";
        AtomicLong counter = new AtomicLong();
        return Node.of((key, wait) -> {
            String owner = ownerPrefix + counter.incrementAndGet();
            return pollEveryMillisecond(wait, () -> (update(pool, ACQUIRE, key, owner) == 1)
                    ? () -> update(pool, RELEASE, key, owner) : null);
        }, pool::close);
    }

    private static int update(DataSource pool, String sql, String key, String owner) {
        try (Connection connection = pool.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, key);
            statement.setString(2, owner);
            return statement.executeUpdate();
        }
        catch (SQLException ex) {
            throw new IllegalStateException("The floor's statement failed for '" + key + "'", ex);
        }
    }

}
