package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import io.github.distlock.core.spi.AcquireResult;

/**
 * The lock statements of one database. Each method here runs exactly one decision statement on the connection it
 * is given (an acquire refused on H2 adds one read for the holder's remaining time); the caller owns the connection
 * and its transaction. The shared leases of MariaDB and H2 ({@link RowLockingStatements}) are the exception: a short
 * transaction of a few statements under the key's row lock.
 *
 * <p>The common rules, whatever the dialect:
 * <ul>
 * <li>time is the database's ({@code clock_timestamp()}, {@code UTC_TIMESTAMP(6)}, {@code CURRENT_TIMESTAMP(6)}),
 * durations are bound as microseconds;</li>
 * <li>a lock is held while {@code expires_at > now}; acquire inserts the row or takes it over only when
 * {@code expires_at <= now}, evaluated on the latest row version under the row lock, so two concurrent attempts
 * never both win;</li>
 * <li>a takeover draws its fencing token from the sequence after it holds the row lock, hence after the previous
 * holder's grant committed: tokens strictly increase per key;</li>
 * <li>renew and release change the row only when the owner matches and the lease has not expired; release keeps
 * the row (with {@code expires_at = now}) so that the key's next grant is a takeover, and the clean-up deletes it
 * later.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
abstract class LockStatements {

    private final int queryTimeoutSeconds;

    private final String renewSql;

    private final String releaseSql;

    private final String deleteExpiredSql;

    private final String countKeySql;

    LockStatements(JdbcLockOptions options, String renewSql, String releaseSql, String deleteExpiredSql) {
        this.queryTimeoutSeconds = options.queryTimeoutSeconds();
        this.renewSql = renewSql;
        this.releaseSql = releaseSql;
        this.deleteExpiredSql = deleteExpiredSql;
        this.countKeySql = "SELECT COUNT(*) FROM " + options.qualifiedTableName() + " WHERE lock_key = ?";
    }

    /**
     * Inserts the row or takes over an expired one, in one statement.
     * @return granted with the row's fencing token, or held with the holder's remaining time when known
     */
    abstract AcquireResult acquire(Connection connection, String key, String owner, long leaseMicros)
            throws SQLException;

    /** Binds a key or owner token the way this database's column stores it. */
    void bindText(PreparedStatement statement, int index, String value) throws SQLException {
        statement.setString(index, value);
    }

    boolean renew(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.renewSql)) {
            statement.setLong(1, leaseMicros);
            bindText(statement, 2, key);
            bindText(statement, 3, owner);
            return statement.executeUpdate() > 0;
        }
    }

    final String releaseSql() {
        return this.releaseSql;
    }

    boolean release(Connection connection, String key, String owner) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.releaseSql)) {
            bindText(statement, 1, key);
            bindText(statement, 2, owner);
            return statement.executeUpdate() > 0;
        }
    }

    /** Deletes up to {@code limit} rows whose lease ended more than {@code retentionMicros} ago. */
    int deleteExpired(Connection connection, long retentionMicros, int limit) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.deleteExpiredSql)) {
            statement.setLong(1, retentionMicros);
            statement.setInt(2, limit);
            return statement.executeUpdate();
        }
    }

    /**
     * Runs, on a released probe key, the statements this dialect has beyond the common ones, for the start-up check;
     * none by default.
     */
    void probeMore(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
    }

    /** Counts the rows stored under exactly this key: 1 after a grant, unless the column altered the key. */
    int countRows(Connection connection, String key) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.countKeySql)) {
            bindText(statement, 1, key);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }

    /**
     * Prepares an acquire statement whose first three parameters are the key, the owner token and the lease in
     * microseconds, and binds them; the caller closes it.
     */
    final PreparedStatement prepareAcquire(Connection connection, String sql, String key, String owner,
            long leaseMicros) throws SQLException {
        PreparedStatement statement = prepare(connection, sql);
        try {
            bindText(statement, 1, key);
            bindText(statement, 2, owner);
            statement.setLong(3, leaseMicros);
            return statement;
        }
        catch (SQLException ex) {
            statement.close();
            throw ex;
        }
    }

    final PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            statement.setQueryTimeout(this.queryTimeoutSeconds);
        }
        catch (SQLException ex) {
            statement.close();
            throw ex;
        }
        return statement;
    }

    static AcquireResult heldFor(long remainingMicros) {
        return AcquireResult.heldByAnother(Duration.of(Math.max(0, remainingMicros), ChronoUnit.MICROS));
    }

}
