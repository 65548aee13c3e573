package io.github.distlock.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

import io.github.distlock.core.spi.AcquireResult;

/**
 * MariaDB: {@code INSERT ... ON DUPLICATE KEY UPDATE col = IF(expired, new, old) ... RETURNING}. InnoDB checks the
 * duplicate with an exclusive lock on the existing row and evaluates the {@code IF}s on its latest version, in any
 * isolation level, so of two attempts on an expired row only the first takes it. The assignments run left to right
 * and later ones see earlier results, which is why {@code expires_at} is assigned last. {@code RETURNING} gives the
 * row as it is after the statement: ours when granted, the holder's otherwise.
 *
 * <p>Time is {@code UTC_TIMESTAMP(6)}, fixed at the statement's start, in a {@code DATETIME(6)} column (no session
 * time zone, no 2038 limit). A statement that waited for a row lock therefore judges expiry by an earlier time,
 * which can only refuse, never grant early. Keys and owner tokens are stored as their UTF-8 bytes in
 * {@code VARBINARY} columns: byte comparison keeps keys that differ in case, trailing spaces or Unicode normal form
 * apart, which MariaDB's collations would merge.
 *
 * <p>Shared leases and waiting writers' intents are decided under the row lock by {@link RowLockingStatements}; their
 * ends count microseconds since {@code 1970-01-01 00:00:00} in the same UTC {@code DATETIME} arithmetic.
 */
final class MariaDbLockStatements extends RowLockingStatements {

    // The origin of the microseconds that reader and writer entries count in; DATETIME arithmetic, no time zone.
    private static final String EPOCH = "TIMESTAMP '1970-01-01 00:00:00'";

    private final String acquireSql;

    MariaDbLockStatements(JdbcLockOptions options) {
        super(options, renewSql(options), releaseSql(options), deleteExpiredSql(options), lockRowSql(options),
                insertFreeRowSql(options), "SELECT " + nextToken(options), writeRowSql(options));
        String nextToken = nextToken(options);
        this.acquireSql = """
                INSERT INTO %1$s (lock_key, owner_token, fencing_token, expires_at)
                VALUES (?, ?, %2$s, UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND)
                ON DUPLICATE KEY UPDATE
                    owner_token = IF(expires_at <= UTC_TIMESTAMP(6), VALUES(owner_token), owner_token),
                    fencing_token = IF(expires_at <= UTC_TIMESTAMP(6), %2$s, fencing_token),
                    expires_at = IF(expires_at <= UTC_TIMESTAMP(6), VALUES(expires_at), expires_at)
                RETURNING owner_token, fencing_token, TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), expires_at)
                """.formatted(options.qualifiedTableName(), nextToken);
    }

    private static String nextToken(JdbcLockOptions options) {
        return "NEXTVAL(" + options.qualifiedSequenceName() + ")";
    }

    private static String lockRowSql(JdbcLockOptions options) {
        return """
                SELECT owner_token, fencing_token, TIMESTAMPDIFF(MICROSECOND, %2$s, expires_at),
                       TIMESTAMPDIFF(MICROSECOND, %2$s, UTC_TIMESTAMP(6)), readers, waiters
                FROM %1$s WHERE lock_key = ? FOR UPDATE
                """.formatted(options.qualifiedTableName(), EPOCH);
    }

    private static String insertFreeRowSql(JdbcLockOptions options) {
        // The duplicate case changes nothing; the row is locked by the statement that follows.
        return """
                INSERT INTO %s (lock_key, owner_token, fencing_token, expires_at)
                VALUES (?, '%s', 0, UTC_TIMESTAMP(6))
                ON DUPLICATE KEY UPDATE lock_key = lock_key
                """.formatted(options.qualifiedTableName(), PostgresLockStatements.READERS_MARK);
    }

    private static String writeRowSql(JdbcLockOptions options) {
        return """
                UPDATE %s SET owner_token = ?, fencing_token = ?, expires_at = %s + INTERVAL ? MICROSECOND,
                    readers = ?, waiters = ?
                WHERE lock_key = ?
                """.formatted(options.qualifiedTableName(), EPOCH);
    }

    private static String renewSql(JdbcLockOptions options) {
        return """
                UPDATE %s SET expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND
                WHERE lock_key = ? AND owner_token = ? AND expires_at > UTC_TIMESTAMP(6)
                """.formatted(options.qualifiedTableName());
    }

    private static String releaseSql(JdbcLockOptions options) {
        return """
                UPDATE %s SET expires_at = UTC_TIMESTAMP(6)
                WHERE lock_key = ? AND owner_token = ? AND expires_at > UTC_TIMESTAMP(6)
                """.formatted(options.qualifiedTableName());
    }

    private static String deleteExpiredSql(JdbcLockOptions options) {
        return """
                DELETE FROM %s WHERE expires_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND
                ORDER BY expires_at LIMIT ?
                """.formatted(options.qualifiedTableName());
    }

    @Override
    void bindText(PreparedStatement statement, int index, String value) throws SQLException {
        statement.setBytes(index, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    String readText(ResultSet rows, int index) throws SQLException {
        return new String(rows.getBytes(index), StandardCharsets.UTF_8);
    }

    @Override
    AcquireResult acquire(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        try (PreparedStatement statement = prepareAcquire(connection, this.acquireSql, key, owner, leaseMicros)) {
            // execute(), not executeQuery(): MySQL's driver refuses executeQuery() for a statement that starts
            // with INSERT.
            statement.execute();
            try (ResultSet rows = statement.getResultSet()) {
                if (rows == null || !rows.next()) {
                    throw new SQLException("INSERT ... RETURNING on the lock table returned no row");
                }
                if (Arrays.equals(rows.getBytes(1), owner.getBytes(StandardCharsets.UTF_8))) {
                    return AcquireResult.granted(rows.getLong(2));
                }
                return heldFor(rows.getLong(3));
            }
        }
    }

}
