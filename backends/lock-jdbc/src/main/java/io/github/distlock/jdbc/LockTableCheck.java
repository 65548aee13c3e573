package io.github.distlock.jdbc;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.HexFormat;

import javax.sql.DataSource;

import io.github.distlock.core.spi.AcquireResult;

import org.jspecify.annotations.Nullable;

/**
 * The start-up check of a lock table: runs every lock statement once, with a probe key of the maximum length made of
 * characters that take three bytes in UTF-8, in a transaction that is rolled back. It proves in one go that the table,
 * its columns and its sequence exist, that the user may read and write them, and that the key column stores such keys
 * unchanged (a column that truncates, pads or folds them would merge distinct keys). Nothing remains afterwards
 * except one or two sequence values, which are never reused.
 */
final class LockTableCheck {

    private static final long PROBE_LEASE_MICROS = 60_000_000L;

    /** The euro sign: one Java character, three UTF-8 bytes, outside Latin-1. */
    private static final char WIDE_CHARACTER = '\u20ac';

    private static final SecureRandom random = new SecureRandom();

    private LockTableCheck() {
    }

    static JdbcPlatform run(DataSource dataSource, JdbcLockOptions options) {
        String table = options.qualifiedTableName();
        try (Connection connection = connect(dataSource, options)) {
            DatabaseMetaData metaData = connection.getMetaData();
            JdbcPlatform platform = (options.platform() != null) ? options.platform() : JdbcPlatform.detect(metaData);
            platform.requireSupportedVersion(metaData);
            probe(connection, platform, options, describe(metaData));
            return platform;
        }
        catch (SQLException ex) {
            throw new LockTableException(LockTableException.Reason.TABLE_UNUSABLE, options, options.platform(), null,
                    "Cannot check lock table " + table + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Takes a connection for a start-up step, telling a refused login from a database that cannot be reached.
     * @param options the lock table's options, or {@code null} when no table is concerned yet
     * @throws LockTableException with {@link LockTableException.Reason#CREDENTIALS_REJECTED} or
     *     {@link LockTableException.Reason#NO_CONNECTION}
     */
    static Connection connect(DataSource dataSource, @Nullable JdbcLockOptions options) {
        try {
            return dataSource.getConnection();
        }
        catch (SQLException | RuntimeException ex) {
            // A pool may wrap the driver's error in an unchecked exception of its own.
            boolean rejected = ex instanceof SQLException sql && SqlErrors.isLoginRejected(sql);
            String forTable = (options != null) ? " for lock table " + options.qualifiedTableName() : "";
            JdbcPlatform platform = (options != null) ? options.platform() : null;
            if (rejected) {
                throw new LockTableException(LockTableException.Reason.CREDENTIALS_REJECTED, options, platform, null,
                        "The database refused the login of the JDBC lock backend" + forTable + ": " + ex.getMessage(),
                        ex);
            }
            throw new LockTableException(LockTableException.Reason.NO_CONNECTION, options, platform, null,
                    "The JDBC lock backend cannot connect to its database" + forTable + ": " + ex.getMessage(), ex);
        }
    }

    private static void probe(Connection connection, JdbcPlatform platform, JdbcLockOptions options, String where)
            throws SQLException {
        LockStatements statements = platform.statements(options);
        String key = probeKey(options.maxKeyLength());
        String owner = "distlock-startup-check-" + HexFormat.of().formatHex(randomBytes(16));
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            AcquireResult acquired = statements.acquire(connection, key, owner, PROBE_LEASE_MICROS);
            if (!acquired.isGranted() || acquired.fencingToken().isEmpty()) {
                throw new SQLException("the probe key was not granted (" + acquired + ")");
            }
            if (statements.countRows(connection, key) != 1) {
                throw keyColumnTooShort(platform, options, where, null);
            }
            if (!statements.renew(connection, key, owner, PROBE_LEASE_MICROS)) {
                throw new SQLException("the probe lease could not be renewed");
            }
            if (!statements.release(connection, key, owner)) {
                throw new SQLException("the probe lease could not be released");
            }
            statements.probeMore(connection, key, owner, PROBE_LEASE_MICROS);
            statements.deleteExpired(connection, PROBE_LEASE_MICROS, 0);
        }
        catch (SQLException ex) {
            throw explain(ex, platform, options, where);
        }
        finally {
            restore(connection, autoCommit);
        }
    }

    /** Rolls the probe back; a failure here must not hide the explanation of a failed probe. */
    private static void restore(Connection connection, boolean autoCommit) {
        try {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
        catch (SQLException ex) {
            // The connection is broken; the pool discards it.
        }
    }

    private static LockTableException explain(SQLException ex, JdbcPlatform platform, JdbcLockOptions options,
            String where) {
        String table = options.qualifiedTableName();
        String sequence = options.qualifiedSequenceName();
        if (SqlErrors.isMissingObject(ex)) {
            return new LockTableException(LockTableException.Reason.TABLE_MISSING, options, platform, where,
                    "Lock table " + table + " or its sequence " + sequence + " does not exist (or lacks a column) in "
                    + where + ". Create them with the script " + platform.schemaResource() + " (see JdbcLockSchema), "
                    + "or let the application create them at start-up (Spring Boot: "
                    + "distributed-lock.jdbc.initialize-schema=always)" + upgradeHint(platform)
                    + ". The database said: " + ex.getMessage(), ex);
        }
        if (SqlErrors.isMissingPrivilege(ex)) {
            return new LockTableException(LockTableException.Reason.PRIVILEGES_MISSING, options, platform, where,
                    "The database user lacks rights on lock table " + table + " or its sequence " + sequence + " in "
                    + where + ". Grant " + JdbcLockSchema.requiredRights(platform, options) + ". The database said: "
                    + ex.getMessage(), ex);
        }
        if ("22001".equals(ex.getSQLState())) {
            return keyColumnTooShort(platform, options, where, ex);
        }
        return new LockTableException(LockTableException.Reason.TABLE_UNUSABLE, options, platform, where,
                "Lock table " + table + " is not usable in " + where + ": " + ex.getMessage(), ex);
    }

    /** What a table created by an earlier version lacks, where that is known. */
    private static String upgradeHint(JdbcPlatform platform) {
        if (platform != JdbcPlatform.POSTGRESQL) {
            return "; a table created by an earlier version of distlock may lack the shared leases' columns readers "
                    + "and waiters, which running the script again adds";
        }
        return "; a table created by an earlier version of distlock may lack the queue's columns owner_node and "
                + "waiters (added in 0.1) or the shared leases' column readers, which running the script again adds";
    }

    private static LockTableException keyColumnTooShort(JdbcPlatform platform, JdbcLockOptions options, String where,
            @Nullable SQLException cause) {
        String message = "Column lock_key of lock table " + options.qualifiedTableName() + " in " + where
                + " cannot store keys of " + options.maxKeyLength() + " characters unchanged: widen it (up to 3 UTF-8 "
                + "bytes per character on MariaDB) or lower the maximum key length";
        String said = (cause != null) ? ". The database said: " + cause.getMessage() : "";
        return new LockTableException(LockTableException.Reason.KEY_COLUMN_TOO_SHORT, options, platform, where,
                message + said, (cause != null) ? cause : new SQLException(message));
    }

    static String probeKey(int length) {
        String random = "distlock-startup-check-" + HexFormat.of().formatHex(randomBytes(16));
        if (random.length() >= length) {
            return random.substring(random.length() - length);
        }
        return random + String.valueOf(WIDE_CHARACTER).repeat(length - random.length());
    }

    /** Names the database for messages, without credentials or URL parameters. */
    static String describe(DatabaseMetaData metaData) throws SQLException {
        String url = String.valueOf(metaData.getURL()).replaceAll("//[^/@]*@", "//").replaceAll("[?;].*$", "");
        String user = metaData.getUserName();
        return metaData.getDatabaseProductName() + " " + metaData.getDatabaseProductVersion() + " at " + url
                + ((user != null && !user.isEmpty()) ? " as user '" + user + "'" : "");
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

}
