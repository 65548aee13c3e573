package io.github.distlock.jdbc;

import java.time.Duration;
import java.util.regex.Pattern;

import io.github.distlock.core.InvalidSettingException;

import org.jspecify.annotations.Nullable;

/**
 * Where the JDBC backend keeps its locks and how it maintains the lock table. Immutable.
 *
 * <p>Names are validated when the options are created, so a table name with SQL metacharacters in configuration
 * fails the application's start-up instead of reaching a statement: the schema and the table name must be plain
 * identifiers (a letter or underscore, then letters, digits or underscores, at most
 * {@value #MAX_IDENTIFIER_LENGTH} characters). They are used unquoted, so each database folds them to its usual
 * case, the same way for the schema script and for every statement. The table's sequence is named
 * {@code <table>_token_seq} and its expiry index {@code <table>_expires_idx}, in the same schema.
 *
 * @param schema the schema (PostgreSQL, H2) or database (MariaDB) of the lock table; {@code null} for the
 *     connection's current one
 * @param tableName the lock table's name
 * @param maxKeyLength the longest lock key, in characters, that the backend accepts; the key column must hold it
 *     (checked at start-up). The schema scripts size the column for 255
 * @param queryTimeout the longest time a lock statement may run before the driver cancels it (whole seconds,
 *     rounded up: JDBC's granularity)
 * @param expiredRowRetention how long the row of an expired or released lock is kept before the clean-up may
 *     delete it; it bounds the table to the keys locked within this time (plus the clean-up interval). It must be
 *     longer than the query timeout (see {@link JdbcLeaseBackend}, "Fencing tokens")
 * @param cleanupInterval how often, at most, one instance deletes expired rows, piggybacked on a grant or a
 *     release
 * @param cleanupBatchSize how many rows one clean-up statement deletes at most; a clean-up runs up to
 *     {@value #MAX_CLEANUP_BATCHES} such statements
 * @param platform the database, or {@code null} to detect it from the connection's metadata
 * @param releaseNotification whether waiters queue and a release hands the key to the oldest one and tells its
 *     instance, where the database can (PostgreSQL {@code LISTEN/NOTIFY} through the PostgreSQL driver), at the cost
 *     of one connection per instance held while anyone there waits (and for a second after the last waiter
 *     left); off, waiters poll with backoff
 * @since 0.1.0
 */
public record JdbcLockOptions(@Nullable String schema, String tableName, int maxKeyLength, Duration queryTimeout,
        Duration expiredRowRetention, Duration cleanupInterval, int cleanupBatchSize, @Nullable JdbcPlatform platform,
        boolean releaseNotification) {

    /** The longest schema or table name accepted, leaving room for the sequence and index suffixes. */
    public static final int MAX_IDENTIFIER_LENGTH = 48;

    /** How many batches one clean-up deletes at most. */
    public static final int MAX_CLEANUP_BATCHES = 10;

    /** The default table name. */
    public static final String DEFAULT_TABLE_NAME = "distributed_lock";

    /** The longest key the schema scripts' key column holds, in characters. */
    public static final int DEFAULT_MAX_KEY_LENGTH = 255;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Validates the options.
     * @throws InvalidSettingException naming the invalid option
     */
    public JdbcLockOptions {
        requireSet("tableName", tableName);
        requireSet("queryTimeout", queryTimeout);
        requireSet("expiredRowRetention", expiredRowRetention);
        requireSet("cleanupInterval", cleanupInterval);
        if (schema != null) {
            requireIdentifier("schema", schema);
        }
        requireIdentifier("tableName", tableName);
        if (maxKeyLength < 1) {
            throw new InvalidSettingException("maxKeyLength", maxKeyLength, "must be at least 1");
        }
        if (queryTimeout.isNegative() || queryTimeout.isZero()) {
            throw new InvalidSettingException("queryTimeout", queryTimeout, "must be positive");
        }
        requireRetentionLongerThanQueryTimeout(expiredRowRetention, queryTimeout);
        if (cleanupInterval.isNegative() || cleanupInterval.isZero()) {
            throw new InvalidSettingException("cleanupInterval", cleanupInterval, "must be positive");
        }
        if (cleanupBatchSize < 1) {
            throw new InvalidSettingException("cleanupBatchSize", cleanupBatchSize, "must be at least 1");
        }
    }

    private static void requireSet(String name, @Nullable Object value) {
        if (value == null) {
            throw new InvalidSettingException(name, null, "must be set");
        }
    }

    /**
     * Returns the defaults: table {@code distributed_lock} in the connection's current schema, keys up to 255
     * characters, statements cancelled after 5 s, rows of ended locks kept for 1 minute and cleaned at most once a
     * minute in batches of 500, platform detected, release notification on where the database offers it.
     * @return the defaults
     */
    public static JdbcLockOptions defaults() {
        return new JdbcLockOptions(null, DEFAULT_TABLE_NAME, DEFAULT_MAX_KEY_LENGTH, Duration.ofSeconds(5),
                Duration.ofMinutes(1), Duration.ofMinutes(1), 500, null, true);
    }

    /**
     * Returns a copy with the given table, in the given schema.
     * @param schema the schema, or {@code null} for the connection's current one
     * @param tableName the table name
     * @return the copy
     */
    public JdbcLockOptions withTable(@Nullable String schema, String tableName) {
        return new JdbcLockOptions(schema, tableName, this.maxKeyLength, this.queryTimeout, this.expiredRowRetention,
                this.cleanupInterval, this.cleanupBatchSize, this.platform, this.releaseNotification);
    }

    /**
     * Returns a copy with the given maximum key length.
     * @param maxKeyLength the longest key accepted, in characters
     * @return the copy
     */
    public JdbcLockOptions withMaxKeyLength(int maxKeyLength) {
        return new JdbcLockOptions(this.schema, this.tableName, maxKeyLength, this.queryTimeout,
                this.expiredRowRetention, this.cleanupInterval, this.cleanupBatchSize, this.platform,
                this.releaseNotification);
    }

    /**
     * Returns a copy with the given statement timeout.
     * @param queryTimeout the timeout, rounded up to whole seconds
     * @return the copy
     */
    public JdbcLockOptions withQueryTimeout(Duration queryTimeout) {
        return new JdbcLockOptions(this.schema, this.tableName, this.maxKeyLength, queryTimeout,
                this.expiredRowRetention, this.cleanupInterval, this.cleanupBatchSize, this.platform,
                this.releaseNotification);
    }

    /**
     * Returns a copy with the given clean-up settings.
     * @param expiredRowRetention how long rows of ended locks are kept
     * @param cleanupInterval how often one instance cleans at most
     * @param cleanupBatchSize how many rows one clean-up statement deletes at most
     * @return the copy
     */
    public JdbcLockOptions withCleanup(Duration expiredRowRetention, Duration cleanupInterval, int cleanupBatchSize) {
        return new JdbcLockOptions(this.schema, this.tableName, this.maxKeyLength, this.queryTimeout,
                expiredRowRetention, cleanupInterval, cleanupBatchSize, this.platform, this.releaseNotification);
    }

    /**
     * Returns a copy for the given database instead of detecting it.
     * @param platform the database, or {@code null} to detect it
     * @return the copy
     */
    public JdbcLockOptions withPlatform(@Nullable JdbcPlatform platform) {
        return new JdbcLockOptions(this.schema, this.tableName, this.maxKeyLength, this.queryTimeout,
                this.expiredRowRetention, this.cleanupInterval, this.cleanupBatchSize, platform,
                this.releaseNotification);
    }

    /**
     * Returns a copy that announces releases to waiters where the database can, or never.
     * @param releaseNotification whether to announce releases
     * @return the copy
     */
    public JdbcLockOptions withReleaseNotification(boolean releaseNotification) {
        return new JdbcLockOptions(this.schema, this.tableName, this.maxKeyLength, this.queryTimeout,
                this.expiredRowRetention, this.cleanupInterval, this.cleanupBatchSize, this.platform,
                releaseNotification);
    }

    /**
     * Returns the query timeout as the driver applies it: in whole seconds, rounded up, at least one.
     * @return the timeout passed to {@code Statement.setQueryTimeout}
     */
    public int queryTimeoutSeconds() {
        return queryTimeoutSeconds(this.queryTimeout);
    }

    private static int queryTimeoutSeconds(Duration queryTimeout) {
        long seconds = queryTimeout.getSeconds() + ((queryTimeout.getNano() > 0) ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, seconds));
    }

    /**
     * A key whose row the clean-up deleted is inserted afresh with a token drawn just before the insert. A statement
     * that drew its token earlier and then stalled (waiting for the row lock, say) could otherwise insert the key
     * after a later grant with a greater token had ended and its row was deleted: tokens would go backwards. The
     * driver cancels a statement after its query timeout, so a retention longer than that rules it out.
     */
    private static void requireRetentionLongerThanQueryTimeout(Duration retention, Duration queryTimeout) {
        int timeoutSeconds = queryTimeoutSeconds(queryTimeout);
        if (retention.compareTo(Duration.ofSeconds(timeoutSeconds)) <= 0) {
            throw new InvalidSettingException("expiredRowRetention", retention, "must be longer than the query "
                    + "timeout (" + timeoutSeconds + " s): the row of an ended lock must outlive any statement still "
                    + "running on it, or a stalled acquire could insert the key afresh with an older fencing token "
                    + "than a grant made meanwhile");
        }
    }

    /**
     * Returns the table name as statements use it, qualified with the schema when one is set.
     * @return for example {@code locks.distributed_lock}
     */
    public String qualifiedTableName() {
        return qualify(this.tableName);
    }

    /**
     * Returns the fencing-token sequence's name as statements use it, qualified with the schema when one is set.
     * @return for example {@code distributed_lock_token_seq}
     */
    public String qualifiedSequenceName() {
        return qualify(this.tableName + "_token_seq");
    }

    /**
     * Returns the name of the index on the expiry column (unqualified: an index lives in its table's schema).
     * @return for example {@code distributed_lock_expires_idx}
     */
    public String expiryIndexName() {
        return this.tableName + "_expires_idx";
    }

    private String qualify(String name) {
        return (this.schema != null) ? this.schema + "." + name : name;
    }

    private static void requireIdentifier(String setting, String name) {
        if (name.length() > MAX_IDENTIFIER_LENGTH || !IDENTIFIER.matcher(name).matches()) {
            throw new InvalidSettingException(setting, name, "must be a plain SQL identifier (a letter or "
                    + "underscore, then letters, digits or underscores, at most " + MAX_IDENTIFIER_LENGTH
                    + " characters); quoting and qualified names are not accepted here");
        }
    }

}
