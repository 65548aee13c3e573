package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.github.distlock.core.spi.AcquireResult;

/**
 * PostgreSQL: {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE expired}. Under READ COMMITTED a conflicting
 * row is locked and the {@code WHERE} is evaluated on its latest committed version, so of two attempts on an
 * expired row only the first takes it; under REPEATABLE READ or SERIALIZABLE the loser fails with a serialization
 * error instead, which the backend reports as a refused attempt. Time is {@code clock_timestamp()}, the real time at
 * evaluation (not the transaction's start), in a {@code timestamptz} column.
 *
 * <p>The refused case reads the holder's expiry in the same statement: the outer {@code SELECT} of a
 * data-modifying {@code WITH} sees the table as it was before the insert attempt. With release notification on, a
 * release also runs {@code pg_notify(channel, key)}, delivered to listeners when it commits.
 */
final class PostgresLockStatements extends LockStatements {

    private final String acquireSql;

    private final boolean notifying;

    PostgresLockStatements(JdbcLockOptions options) {
        super(options, renewSql(options), releaseSql(options), deleteExpiredSql(options));
        this.notifying = options.releaseNotification();
        String table = options.qualifiedTableName();
        String nextToken = "nextval('" + options.qualifiedSequenceName() + "')";
        this.acquireSql = """
                WITH attempt AS (
                    INSERT INTO %1$s AS held (lock_key, owner_token, fencing_token, expires_at)
                    VALUES (?, ?, %2$s, clock_timestamp() + ? * INTERVAL '1 microsecond')
                    ON CONFLICT (lock_key) DO UPDATE
                        SET owner_token = EXCLUDED.owner_token,
                            fencing_token = %2$s,
                            expires_at = EXCLUDED.expires_at
                        WHERE held.expires_at <= clock_timestamp()
                    RETURNING held.fencing_token
                )
                SELECT fencing_token, NULL::bigint FROM attempt
                UNION ALL
                SELECT NULL, (EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000000)::bigint
                FROM %1$s
                WHERE lock_key = ? AND NOT EXISTS (SELECT 1 FROM attempt)
                """.formatted(table, nextToken);
    }

    private static String renewSql(JdbcLockOptions options) {
        return """
                UPDATE %s SET expires_at = clock_timestamp() + ? * INTERVAL '1 microsecond'
                WHERE lock_key = ? AND owner_token = ? AND expires_at > clock_timestamp()
                """.formatted(options.qualifiedTableName());
    }

    private static String releaseSql(JdbcLockOptions options) {
        String release = """
                UPDATE %s SET expires_at = clock_timestamp()
                WHERE lock_key = ? AND owner_token = ? AND expires_at > clock_timestamp()
                """.formatted(options.qualifiedTableName());
        if (!options.releaseNotification()) {
            return release;
        }
        // The notification is delivered when the release commits, and only if a row was released.
        return """
                WITH released AS (%s RETURNING lock_key)
                SELECT pg_notify('%s', lock_key) FROM released
                """.formatted(release.strip(), options.releaseChannel());
    }

    @Override
    boolean release(Connection connection, String key, String owner) throws SQLException {
        if (!this.notifying) {
            return super.release(connection, key, owner);
        }
        try (PreparedStatement statement = prepare(connection, releaseSql())) {
            statement.setString(1, key);
            statement.setString(2, owner);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static String deleteExpiredSql(JdbcLockOptions options) {
        // SKIP LOCKED leaves rows that an acquire is taking over right now; FOR UPDATE re-checks the expiry on the
        // latest version of each row it locks.
        return """
                DELETE FROM %1$s WHERE lock_key IN (
                    SELECT lock_key FROM %1$s
                    WHERE expires_at < clock_timestamp() - ? * INTERVAL '1 microsecond'
                    ORDER BY expires_at
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED
                )
                """.formatted(options.qualifiedTableName());
    }

    @Override
    AcquireResult acquire(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.acquireSql)) {
            statement.setString(1, key);
            statement.setString(2, owner);
            statement.setLong(3, leaseMicros);
            statement.setString(4, key);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    // The holder committed after this statement's snapshot was taken: held, for an unknown time.
                    return AcquireResult.heldByAnother();
                }
                long token = rows.getLong(1);
                if (!rows.wasNull()) {
                    return AcquireResult.granted(token);
                }
                return heldFor(rows.getLong(2));
            }
        }
    }

}
