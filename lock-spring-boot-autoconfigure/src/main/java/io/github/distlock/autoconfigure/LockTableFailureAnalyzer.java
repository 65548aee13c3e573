package io.github.distlock.autoconfigure;

import io.github.distlock.jdbc.JdbcLockSchema;
import io.github.distlock.jdbc.LockTableException;
import io.github.distlock.jdbc.LockTableException.Reason;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

/**
 * Reports a lock table that the JDBC backend cannot use at start-up: missing (or its sequence or a column), not
 * usable by the database user, with a key column too short for the keys, failing the check otherwise, or not
 * created although {@code distributed-lock.jdbc.initialize-schema} asked for it. The action names the schema
 * script in lock-jdbc's jar, the property that creates the table, or the rights to grant.
 */
class LockTableFailureAnalyzer extends LockTableExceptionFailureAnalyzer {

    private static final String INITIALIZE_SCHEMA = DistributedLockProperties.PREFIX + ".jdbc.initialize-schema";

    LockTableFailureAnalyzer(@Nullable Environment environment) {
        super(environment, Reason.TABLE_MISSING, Reason.PRIVILEGES_MISSING, Reason.KEY_COLUMN_TOO_SHORT,
                Reason.TABLE_UNUSABLE, Reason.SCHEMA_NOT_CREATED);
    }

    @Override
    String description(LockTableException failure, LockDataSourceSettings dataSource) {
        String table = table(failure);
        String problem = switch (failure.reason()) {
            case TABLE_MISSING -> "The lock table " + table + " of the JDBC lock backend, or its sequence "
                    + sequence(failure) + ", does not exist (or lacks a column)";
            case PRIVILEGES_MISSING -> "The database user of the JDBC lock backend lacks rights on the lock table "
                    + table + " or its sequence " + sequence(failure);
            case KEY_COLUMN_TOO_SHORT -> "Column lock_key of the lock table " + table + " cannot store keys of "
                    + maxKeyLength(failure) + " characters unchanged";
            case SCHEMA_NOT_CREATED -> "The JDBC lock backend could not create its lock table " + table + " ("
                    + INITIALIZE_SCHEMA + ")";
            default -> "The lock table " + table + " of the JDBC lock backend failed its start-up check";
        };
        return problem + " in " + database(failure, dataSource) + ".\n\nThe database said: " + databaseSaid(failure);
    }

    @Override
    String action(LockTableException failure, LockDataSourceSettings dataSource) {
        String script = schemaScript(failure);
        return switch (failure.reason()) {
            case TABLE_MISSING -> "Create the table, its sequence and its index with the schema script " + script
                    + " from the lock-jdbc jar (copy it into your database migrations; its placeholders ${table}, "
                    + "${sequence} and ${expiry_index} take your names), or let the application create them at "
                    + "start-up: set " + INITIALIZE_SCHEMA + "=always.";
            case PRIVILEGES_MISSING -> "Grant the database user the rights the schema script " + script
                    + " documents: " + rights(failure) + ". Or lock through a data source whose user has them ("
                    + LockDataSourceSettings.DATA_SOURCE_PROPERTY + ").";
            case KEY_COLUMN_TOO_SHORT -> "Widen column lock_key of " + table(failure) + " to the size in the schema "
                    + "script " + script + " (on MariaDB up to 3 bytes per character), or accept shorter keys with an "
                    + "application JdbcLockOptions bean (withMaxKeyLength).";
            case SCHEMA_NOT_CREATED -> "Grant the database user the right to create tables, sequences and indexes "
                    + "in the schema, or create them with the schema script " + script + " and set "
                    + INITIALIZE_SCHEMA + "=never.";
            default -> "Compare the table with the schema script " + script + "; at start-up the backend runs "
                    + "every lock statement once, in a transaction that it rolls back.";
        };
    }

    private static String rights(LockTableException failure) {
        if (failure.platform() != null && failure.options() != null) {
            return JdbcLockSchema.requiredRights(failure.platform(), failure.options());
        }
        return "SELECT, INSERT, UPDATE, DELETE ON " + table(failure) + " and the right to take values from "
                + sequence(failure);
    }

    private static String maxKeyLength(LockTableException failure) {
        return (failure.options() != null) ? Integer.toString(failure.options().maxKeyLength()) : "the configured";
    }

}
