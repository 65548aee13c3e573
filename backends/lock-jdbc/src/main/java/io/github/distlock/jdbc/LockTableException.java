package io.github.distlock.jdbc;

import org.jspecify.annotations.Nullable;

/**
 * The lock table could not be used: at start-up no connection could be made or the login was refused, or the table
 * is missing, unreadable or unwritable for the database user, or its key column cannot hold the configured keys;
 * later a lock statement failed (connection lost, timeout). The message names the table, the database and, where
 * known, what to do; {@link #reason()} tells the cases apart for code that reports them (such as Spring Boot's
 * failure analyzers); the cause is the driver's exception.
 *
 * <p>Neither the message nor the chain of causes shows a password: both pass through {@link CredentialMasking}, and
 * a cause whose chain would show one is replaced by its masked copy.
 *
 * <p>The engine turns a failure during a lock call into {@code LockUnavailableException}.
 *
 * @since 0.1.0
 */
public class LockTableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the lock table could not be used. */
    public enum Reason {

        /** The database refused the login: wrong user name or password, or a user it does not let in. */
        CREDENTIALS_REJECTED,

        /** No connection could be made: the database is down or unreachable, or the URL names no database. */
        NO_CONNECTION,

        /** The table, its sequence or one of its columns does not exist. */
        TABLE_MISSING,

        /** The database user lacks a right on the table or its sequence. */
        PRIVILEGES_MISSING,

        /** The key column cannot store keys of the configured maximum length unchanged. */
        KEY_COLUMN_TOO_SHORT,

        /** A statement of the start-up check failed for another reason. */
        TABLE_UNUSABLE,

        /** Creating the table, its sequence or its index failed. */
        SCHEMA_NOT_CREATED,

        /** A lock or clean-up statement failed after start-up, or the failure has no finer reason. */
        STATEMENT_FAILED

    }

    private final Reason reason;

    private final @Nullable JdbcLockOptions options;

    private final @Nullable JdbcPlatform platform;

    private final @Nullable String database;

    /**
     * Creates the exception for a failed lock or clean-up statement ({@link Reason#STATEMENT_FAILED}).
     * @param message what failed and what to do about it
     * @param cause the driver's exception
     */
    public LockTableException(String message, Throwable cause) {
        this(Reason.STATEMENT_FAILED, null, null, null, message, cause);
    }

    LockTableException(Reason reason, @Nullable JdbcLockOptions options, @Nullable JdbcPlatform platform,
            @Nullable String database, String message, Throwable cause) {
        super(CredentialMasking.mask(message), CredentialMasking.maskChain(cause));
        this.reason = reason;
        this.options = options;
        this.platform = platform;
        this.database = CredentialMasking.mask(database);
    }

    /**
     * Returns why the lock table could not be used.
     * @return the reason
     */
    public Reason reason() {
        return this.reason;
    }

    /**
     * Returns the options of the lock table concerned: its name, schema and sequence.
     * @return the options, or {@code null} when the failure concerns no table (detecting the database)
     */
    public @Nullable JdbcLockOptions options() {
        return this.options;
    }

    /**
     * Returns the database the lock table is in, when known.
     * @return the platform, or {@code null} when it was not configured and no connection could tell
     */
    public @Nullable JdbcPlatform platform() {
        return this.platform;
    }

    /**
     * Returns the database as the messages name it: product, version, URL without user information or parameters,
     * and user.
     * @return the description, or {@code null} when no connection was made
     */
    public @Nullable String database() {
        return this.database;
    }

}
