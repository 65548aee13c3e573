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
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData metaData = connection.getMetaData();
            JdbcPlatform platform = (options.platform() != null) ? options.platform() : JdbcPlatform.detect(metaData);
            platform.requireSupportedVersion(metaData);
            probe(connection, platform, options, describe(metaData));
            return platform;
        }
        catch (SQLException ex) {
            throw new LockTableException("Cannot check lock table " + table + ": " + ex.getMessage(), ex);
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
                throw keyColumnTooShort(options, where, null);
            }
            if (!statements.renew(connection, key, owner, PROBE_LEASE_MICROS)) {
                throw new SQLException("the probe lease could not be renewed");
            }
            if (!statements.release(connection, key, owner)) {
                throw new SQLException("the probe lease could not be released");
            }
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
            return new LockTableException("Lock table " + table + " or its sequence " + sequence
                    + " does not exist (or lacks a column) in " + where + ". Create them with the script "
                    + platform.schemaResource() + " (see JdbcLockSchema), or let the application create them at "
                    + "start-up (Spring Boot: distributed-lock.jdbc.initialize-schema=always). The database said: "
                    + ex.getMessage(), ex);
        }
        if (SqlErrors.isMissingPrivilege(ex)) {
            return new LockTableException("The database user lacks rights on lock table " + table + " or its "
                    + "sequence " + sequence + " in " + where + ". Grant SELECT, INSERT, UPDATE and DELETE on the "
                    + "table and the right to take values from the sequence (PostgreSQL: USAGE; MariaDB: SELECT and "
                    + "INSERT). The database said: " + ex.getMessage(), ex);
        }
        if ("22001".equals(ex.getSQLState())) {
            return keyColumnTooShort(options, where, ex);
        }
        return new LockTableException("Lock table " + table + " is not usable in " + where + ": " + ex.getMessage(),
                ex);
    }

    private static LockTableException keyColumnTooShort(JdbcLockOptions options, String where,
            @Nullable SQLException cause) {
        String message = "Column lock_key of lock table " + options.qualifiedTableName() + " in " + where
                + " cannot store keys of " + options.maxKeyLength() + " characters unchanged: widen it (up to 3 UTF-8 "
                + "bytes per character on MariaDB) or lower the maximum key length";
        if (cause == null) {
            return new LockTableException(message, new SQLException(message));
        }
        return new LockTableException(message + ". The database said: " + cause.getMessage(), cause);
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
