package io.github.distlock.jdbc;

import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

import org.jspecify.annotations.Nullable;

/**
 * Classifies the SQL errors the backend treats specially, by SQLSTATE (and MariaDB's vendor codes where its
 * SQLSTATE is too coarse), looking through the exception's causes.
 */
final class SqlErrors {

    private static final int MARIADB_DUPLICATE_KEY = 1062;

    private static final int MARIADB_COMMAND_DENIED = 1142;

    private static final int MARIADB_COLUMN_DENIED = 1143;

    private static final int MARIADB_DATABASE_DENIED = 1044;

    private static final int MARIADB_NO_SUCH_TABLE = 1146;

    private SqlErrors() {
    }

    /**
     * Whether the statement lost a race with another transaction and was rolled back without effect: a
     * serialization failure or deadlock, or a unique violation between two inserts of the same new key.
     */
    static boolean isLostRace(SQLException ex) {
        return anyState(ex, "40001", "40P01", "23505", "90131") || anyCode(ex, "23000", MARIADB_DUPLICATE_KEY);
    }

    /** Whether the connection broke (or the server is shutting down), so that a new connection may succeed. */
    static boolean isConnectionFailure(SQLException ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLNonTransientConnectionException || cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLRecoverableException) {
                return true;
            }
            if (cause instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the database refused the login: SQLSTATE class 28 (invalid authorization), or 08004 (the server
     * rejected the connection, as PostgreSQL's driver reports a password that the server asked for and was not
     * given).
     */
    static boolean isLoginRejected(SQLException ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLInvalidAuthorizationSpecException) {
                return true;
            }
            String state = (cause instanceof SQLException sql) ? sql.getSQLState() : null;
            if (state != null && (state.startsWith("28") || state.equals("08004"))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a table, sequence or column the statement names does not exist. */
    static boolean isMissingObject(SQLException ex) {
        return anyState(ex, "42P01", "42S02", "42S04", "42S22", "42703", "90036", "42102", "42122")
                || anyCode(ex, "42S02", MARIADB_NO_SUCH_TABLE);
    }

    /** Whether the database user lacks a right the statement needs. */
    static boolean isMissingPrivilege(SQLException ex) {
        return anyState(ex, "42501", "90096") || anyCode(ex, "42000", MARIADB_COMMAND_DENIED)
                || anyCode(ex, "42000", MARIADB_COLUMN_DENIED) || anyCode(ex, "42000", MARIADB_DATABASE_DENIED);
    }

    private static boolean anyState(SQLException ex, String... states) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            String state = (cause instanceof SQLException sql) ? sql.getSQLState() : null;
            for (String candidate : states) {
                if (candidate.equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean anyCode(SQLException ex, @Nullable String state, int vendorCode) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getErrorCode() == vendorCode
                    && (state == null || state.equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

}
