package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.github.distlock.core.spi.AcquireResult;

/**
 * H2: {@code MERGE ... WHEN MATCHED AND expired THEN UPDATE ... WHEN NOT MATCHED THEN INSERT}, read through
 * {@code FINAL TABLE} so that the statement returns the fencing token of a grant and nothing otherwise. H2 locks
 * a matched row and re-evaluates the condition on its newest version, so of two attempts on an expired row only the
 * first takes it; two inserts of a new key conflict on the primary key and the loser's unique violation is reported
 * as a refused attempt. A refusal then reads the holder's expiry.
 *
 * <p>Time is {@code CURRENT_TIMESTAMP(6)} in a {@code TIMESTAMP(6) WITH TIME ZONE} column: the clock of the JVM that
 * runs H2, which for an embedded database is the application's own. Within a transaction it does not move, so the
 * shared leases' transaction ({@link RowLockingStatements}) decides on one instant throughout. Differences of times
 * are taken in UTC: {@code DATEDIFF} counts the values' local fields, so values of different offsets (a session's
 * own, and the zero offset the shared statements write) would otherwise differ by the offsets.
 */
final class H2LockStatements extends RowLockingStatements {

    private static final String NOW = "CURRENT_TIMESTAMP(6)";

    // The origin of the microseconds that reader and writer entries count in.
    private static final String EPOCH = "TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00'";

    private final String acquireSql;

    private final String remainingSql;

    H2LockStatements(JdbcLockOptions options) {
        super(options, renewSql(options), releaseSql(options), deleteExpiredSql(options), lockRowSql(options),
                insertFreeRowSql(options), "SELECT " + nextToken(options), writeRowSql(options));
        String nextToken = nextToken(options);
        this.acquireSql = """
                SELECT fencing_token FROM FINAL TABLE (
                    MERGE INTO %1$s AS held
                    USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS BIGINT)))
                        AS attempt(lock_key, owner_token, lease_micros)
                    ON held.lock_key = attempt.lock_key
                    WHEN MATCHED AND held.expires_at <= %3$s THEN UPDATE SET
                        owner_token = attempt.owner_token,
                        fencing_token = %2$s,
                        expires_at = DATEADD(MICROSECOND, attempt.lease_micros, %3$s)
                    WHEN NOT MATCHED THEN INSERT (lock_key, owner_token, fencing_token, expires_at)
                        VALUES (attempt.lock_key, attempt.owner_token, %2$s,
                            DATEADD(MICROSECOND, attempt.lease_micros, %3$s))
                )
                """.formatted(options.qualifiedTableName(), nextToken, NOW);
        // In UTC, like every difference here: the shared statements write expiries with offset zero, which the
        // session's own offset would otherwise shift.
        this.remainingSql = """
                SELECT DATEDIFF(MICROSECOND, %s AT TIME ZONE 'UTC', expires_at AT TIME ZONE 'UTC')
                FROM %s WHERE lock_key = ?
                """.formatted(NOW, options.qualifiedTableName());
    }

    private static String nextToken(JdbcLockOptions options) {
        return "NEXT VALUE FOR " + options.qualifiedSequenceName();
    }

    private static String lockRowSql(JdbcLockOptions options) {
        // DATEDIFF counts the difference of the values' local fields: both are brought to UTC first, or a session
        // time zone other than UTC would shift every end read here by its offset.
        return """
                SELECT owner_token, fencing_token, DATEDIFF(MICROSECOND, %2$s, expires_at AT TIME ZONE 'UTC'),
                       DATEDIFF(MICROSECOND, %2$s, %3$s AT TIME ZONE 'UTC'), readers, waiters
                FROM %1$s WHERE lock_key = ? FOR UPDATE
                """.formatted(options.qualifiedTableName(), EPOCH, NOW);
    }

    private static String insertFreeRowSql(JdbcLockOptions options) {
        return """
                MERGE INTO %1$s AS held
                USING (VALUES (CAST(? AS VARCHAR))) AS attempt(lock_key)
                ON held.lock_key = attempt.lock_key
                WHEN NOT MATCHED THEN INSERT (lock_key, owner_token, fencing_token, expires_at)
                    VALUES (attempt.lock_key, '%2$s', 0, %3$s)
                """.formatted(options.qualifiedTableName(), PostgresLockStatements.READERS_MARK, NOW);
    }

    private static String writeRowSql(JdbcLockOptions options) {
        return """
                UPDATE %s SET owner_token = ?, fencing_token = ?,
                    expires_at = DATEADD(MICROSECOND, CAST(? AS BIGINT), %s), readers = ?, waiters = ?
                WHERE lock_key = ?
                """.formatted(options.qualifiedTableName(), EPOCH);
    }

    private static String renewSql(JdbcLockOptions options) {
        return """
                UPDATE %1$s SET expires_at = DATEADD(MICROSECOND, CAST(? AS BIGINT), %2$s)
                WHERE lock_key = ? AND owner_token = ? AND expires_at > %2$s
                """.formatted(options.qualifiedTableName(), NOW);
    }

    private static String releaseSql(JdbcLockOptions options) {
        return """
                UPDATE %1$s SET expires_at = %2$s
                WHERE lock_key = ? AND owner_token = ? AND expires_at > %2$s
                """.formatted(options.qualifiedTableName(), NOW);
    }

    private static String deleteExpiredSql(JdbcLockOptions options) {
        return """
                DELETE FROM %1$s WHERE expires_at < DATEADD(MICROSECOND, -CAST(? AS BIGINT), %2$s)
                FETCH FIRST ? ROWS ONLY
                """.formatted(options.qualifiedTableName(), NOW);
    }

    @Override
    String readText(ResultSet rows, int index) throws SQLException {
        return rows.getString(index);
    }

    @Override
    AcquireResult acquire(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        try (PreparedStatement statement = prepareAcquire(connection, this.acquireSql, key, owner, leaseMicros)) {
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    return AcquireResult.granted(rows.getLong(1));
                }
            }
        }
        try (PreparedStatement statement = prepare(connection, this.remainingSql)) {
            statement.setString(1, key);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? heldFor(rows.getLong(1)) : AcquireResult.heldByAnother();
            }
        }
    }

}
