package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease backend on a table of a relational database (PostgreSQL, MariaDB or H2; see {@link JdbcPlatform}),
 * reached through a {@link DataSource}.
 *
 * <h2>Storage and statements</h2>
 * One row per key: {@code lock_key} (primary key), {@code owner_token}, {@code fencing_token}, {@code expires_at}
 * (database time, microseconds). A lock is held while {@code expires_at} is after the database's current time.
 * Acquire is one statement that inserts the row or takes over an expired one; the database decides, on its own
 * clock, and row locking makes two concurrent attempts never both win. Renew and release are single owner-checked
 * {@code UPDATE}s that do nothing once the lease has expired. The schema scripts are
 * {@code io/github/distlock/jdbc/schema-<platform>.sql}; {@link JdbcLockSchema} renders and runs them.
 *
 * <h2>Connections and transactions</h2>
 * Every call takes its own connection from the data source and runs one short transaction on it (the statement in
 * auto-commit mode, or committed at once when the pool hands out connections without auto-commit), never the
 * caller's transaction: a caller's rollback cannot undo a lock, and a caller's REPEATABLE READ snapshot cannot hide
 * one. The data source must therefore hand out plain pooled connections, not connections bound to the current
 * transaction (such as Spring's {@code TransactionAwareDataSourceProxy}). Size the pool for the lock's own calls
 * (or give the locks a small pool of their own): a renewal waits for a free connection like any other caller.
 *
 * <h2>Fencing tokens</h2>
 * Tokens come from one database sequence per table ({@code <table>_token_seq}). A takeover draws its token after it
 * holds the row lock, that is after the previous holder's grant committed, so tokens strictly increase per key;
 * release keeps the row, so the key's next grant is such a takeover too. Only a key whose row the clean-up has
 * deleted is inserted afresh, with a token drawn just before the insert; it still exceeds every earlier grant unless
 * a statement stalled for longer than the row retention, which {@link JdbcLockOptions} therefore requires to be
 * longer than the query timeout, after which the driver cancels a statement. The sequence must not hand out values
 * from per-session caches (PostgreSQL's {@code CACHE 1}, the scripts' default; MariaDB's cache is shared by all
 * sessions of a server); and PostgreSQL must run with {@code synchronous_commit} on (the default), so that a token
 * handed out before a crash is not handed out again after it.
 *
 * <h2>Clean-up</h2>
 * At most once per {@link JdbcLockOptions#cleanupInterval()} per backend instance, a grant or a release also deletes
 * rows whose lease ended more than {@link JdbcLockOptions#expiredRowRetention()} ago, in batches through the index
 * on {@code expires_at} (no full-table scan). The table therefore holds the keys locked now plus those whose lock
 * ended within roughly retention + interval (up to {@value JdbcLockOptions#MAX_CLEANUP_BATCHES} batches per
 * clean-up; while a clean-up leaves a backlog, the next lock call continues it instead of waiting an interval).
 * {@link #deleteExpiredRows()} runs a clean-up on demand.
 *
 * <h2>Keys</h2>
 * Keys of 1 to {@link JdbcLockOptions#maxKeyLength()} characters, compared exactly (case, trailing spaces and
 * Unicode normal form matter). A key must be valid UTF-16 (no unpaired surrogate) and must not contain NUL, which
 * PostgreSQL cannot store; such keys are rejected with {@link IllegalArgumentException} before any statement.
 *
 * <h2>Waiting</h2>
 * On PostgreSQL with its JDBC driver on the classpath (and {@link JdbcLockOptions#releaseNotification()} on, the
 * default), {@link #create} returns a {@link NotifyingJdbcLeaseBackend}: waiters queue in the key's row, a release
 * hands the key to the oldest one and tells only that waiter's application instance with {@code NOTIFY}, and a
 * release nobody waits for notifies nobody; it also grants shared leases ({@code READ} locks), and any backend on
 * the same table refuses while readers hold a key, since readers mark its row as held. Other databases have no such
 * mechanism: their waiters poll with the engine's bounded, jittered backoff. There (and on PostgreSQL with release
 * notification off) {@link #create} returns a {@link SharingJdbcLeaseBackend}, which grants shared leases with the
 * same mark in the row and keeps a waiting writer's intent there, announcing nothing.
 *
 * <p>Created with {@link #create(DataSource, JdbcLockOptions)}, which checks the table at once: a missing table,
 * missing rights or a key column that is too short fail there, not at the first lock. Thread-safe.
 *
 * @since 0.1.0
 */
public sealed class JdbcLeaseBackend implements FencingLeaseBackend
        permits NotifyingJdbcLeaseBackend, SharingJdbcLeaseBackend {

    /** The backend's name in logs, metrics and messages. */
    public static final String NAME = "jdbc";

    /** The longest owner token accepted, in (ASCII) characters. */
    public static final int MAX_OWNER_TOKEN_LENGTH = 128;

    private static final Logger logger = LoggerFactory.getLogger(JdbcLeaseBackend.class);

    private final DataSource dataSource;

    private final JdbcLockOptions options;

    private final JdbcPlatform platform;

    private final LockStatements statements;

    private final long retentionMicros;

    // When the next piggybacked clean-up is due (System.nanoTime); advanced by compare-and-set by the thread that
    // runs it, so that one instance cleans at most once per interval.
    private final AtomicLong nextCleanupNanos;

    JdbcLeaseBackend(DataSource dataSource, JdbcLockOptions options, JdbcPlatform platform) {
        this.dataSource = dataSource;
        this.options = options;
        this.platform = platform;
        this.statements = platform.statements(options);
        this.retentionMicros = TimeUnit.MICROSECONDS.convert(options.expiredRowRetention());
        this.nextCleanupNanos = new AtomicLong(System.nanoTime() + options.cleanupInterval().toNanos());
    }

    /**
     * Creates a backend on the default table ({@link JdbcLockOptions#defaults()}) and checks it.
     * @param dataSource hands out the connections for lock statements; not closed by the backend
     * @return the backend
     * @throws LockTableException if the table is missing or unusable, naming what to do
     */
    public static JdbcLeaseBackend create(DataSource dataSource) {
        return create(dataSource, JdbcLockOptions.defaults());
    }

    /**
     * Creates a backend and checks its table at once: every lock statement runs once, with a probe key of the
     * maximum length, in a transaction that is rolled back. On PostgreSQL with its driver present and release
     * notification on, the backend is a {@link NotifyingJdbcLeaseBackend}, which queues waiters and grants shared
     * leases; otherwise it is a {@link SharingJdbcLeaseBackend}, which grants shared leases without announcements.
     * @param dataSource hands out the connections for lock statements; not closed by the backend
     * @param options the table and its maintenance
     * @return the backend
     * @throws LockTableException if the database cannot be reached, or the table or its sequence is missing, not
     *     usable by the database user, or cannot hold keys of the maximum length
     * @throws IllegalStateException if the database is not supported
     */
    public static JdbcLeaseBackend create(DataSource dataSource, JdbcLockOptions options) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(options, "options");
        JdbcPlatform platform = LockTableCheck.run(dataSource, options);
        if (platform == JdbcPlatform.POSTGRESQL && options.releaseNotification()
                && isPresent("org.postgresql.PGConnection")) {
            return new NotifyingJdbcLeaseBackend(dataSource, options, platform);
        }
        return new SharingJdbcLeaseBackend(dataSource, options, platform);
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, JdbcLeaseBackend.class.getClassLoader());
            return true;
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        requireValidKey(key, this.options.maxKeyLength());
        requireValidOwnerToken(ownerToken);
        long leaseMicros = leaseMicros(leaseTime);
        return acquireWith(key, connection -> this.statements.acquire(connection, key, ownerToken, leaseMicros));
    }

    /**
     * Runs an acquire statement in its own transaction; a grant may run a clean-up that is due.
     */
    final AcquireResult acquireWith(String key, SqlWork<AcquireResult> acquire) {
        AcquireResult result;
        try {
            result = inOwnTransaction(acquire);
        }
        catch (SQLException ex) {
            if (SqlErrors.isLostRace(ex)) {
                // Rolled back without effect: another attempt on the same key got there first.
                return AcquireResult.heldByAnother();
            }
            throw failure("acquire", key, ex);
        }
        if (result.isGranted()) {
            deleteExpiredRowsIfDue();
        }
        return result;
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        requireValidKey(key, this.options.maxKeyLength());
        requireValidOwnerToken(ownerToken);
        long leaseMicros = leaseMicros(leaseTime);
        return idempotently("renew", key,
                connection -> this.statements.renew(connection, key, ownerToken, leaseMicros));
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        requireValidKey(key, this.options.maxKeyLength());
        requireValidOwnerToken(ownerToken);
        boolean released = idempotently("release", key,
                connection -> this.statements.release(connection, key, ownerToken));
        if (released) {
            deleteExpiredRowsIfDue();
        }
        return released;
    }

    /** {@code SharedLeaseBackend.tryAcquireShared} of the subclasses that grant shared leases, with their statements. */
    final AcquireResult acquireShared(SharedLeaseStatements sharing, String key, String ownerToken,
            Duration leaseTime) {
        requireValidKey(key, this.options.maxKeyLength());
        requireValidOwnerToken(ownerToken);
        long leaseMicros = leaseMicros(leaseTime);
        return acquireWith(key, connection -> sharing.acquireShared(connection, key, ownerToken, leaseMicros));
    }

    /** {@code SharedLeaseBackend.renewSharedIfOwner} of the subclasses that grant shared leases. */
    final boolean renewShared(SharedLeaseStatements sharing, String key, String ownerToken, Duration leaseTime) {
        requireValidKey(key, this.options.maxKeyLength());
        requireValidOwnerToken(ownerToken);
        long leaseMicros = leaseMicros(leaseTime);
        return idempotently("renew the shared lease of", key,
                connection -> sharing.renewShared(connection, key, ownerToken, leaseMicros));
    }

    /** {@code SharedLeaseBackend.releaseSharedIfOwner} of the subclasses that grant shared leases. */
    final boolean releaseShared(SharedLeaseStatements sharing, String key, String ownerToken) {
        requireValidKey(key, this.options.maxKeyLength());
        requireValidOwnerToken(ownerToken);
        boolean released = idempotently("release the shared lease of", key,
                connection -> sharing.releaseShared(connection, key, ownerToken));
        if (released) {
            deleteExpiredRowsIfDue();
        }
        return released;
    }

    /**
     * Deletes the rows of locks that ended more than {@link JdbcLockOptions#expiredRowRetention()} ago, in batches
     * of {@link JdbcLockOptions#cleanupBatchSize()} and at most {@value JdbcLockOptions#MAX_CLEANUP_BATCHES}
     * batches, each in its own transaction. Rows being taken over at the same moment are left alone.
     * @return how many rows were deleted
     * @throws LockTableException if a clean-up statement failed
     */
    public int deleteExpiredRows() {
        int deleted = 0;
        try {
            for (int batch = 0; batch < JdbcLockOptions.MAX_CLEANUP_BATCHES; batch++) {
                int rows = inOwnTransaction(connection -> this.statements.deleteExpired(connection,
                        this.retentionMicros, this.options.cleanupBatchSize()));
                deleted += rows;
                if (rows < this.options.cleanupBatchSize()) {
                    break;
                }
            }
            return deleted;
        }
        catch (SQLException ex) {
            throw new LockTableException(LockTableException.Reason.STATEMENT_FAILED, this.options, this.platform,
                    null, "Could not delete expired rows from lock table " + this.options.qualifiedTableName() + " ("
                    + this.platform.displayName() + ") after " + deleted + " rows: " + ex.getMessage(), ex);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxKeyLength() {
        return this.options.maxKeyLength();
    }

    /**
     * Returns the database this backend runs on.
     * @return the platform
     */
    public JdbcPlatform platform() {
        return this.platform;
    }

    /**
     * Returns the options this backend runs with.
     * @return the options
     */
    public JdbcLockOptions options() {
        return this.options;
    }

    /**
     * Leaves the data source open (it belongs to the caller); leases still held expire in the table.
     */
    @Override
    public void close() {
    }

    final DataSource dataSource() {
        return this.dataSource;
    }

    final LockStatements statements() {
        return this.statements;
    }

    /** Runs a clean-up if one is due; called after a grant or a release. */
    final void deleteExpiredRowsIfDue() {
        long due = this.nextCleanupNanos.get();
        long now = System.nanoTime();
        if (now - due < 0
                || !this.nextCleanupNanos.compareAndSet(due, now + this.options.cleanupInterval().toNanos())) {
            return;
        }
        try {
            int deleted = deleteExpiredRows();
            logger.debug("Deleted {} expired rows from lock table {}", deleted, this.options.qualifiedTableName());
            if (deleted >= JdbcLockOptions.MAX_CLEANUP_BATCHES * this.options.cleanupBatchSize()) {
                // A backlog is left (after a burst of distinct keys): the next lock call goes on deleting, rather
                // than leaving the table large for many intervals.
                this.nextCleanupNanos.set(System.nanoTime());
            }
        }
        catch (RuntimeException ex) {
            // The lock call itself succeeded; the next interval tries again.
            logger.warn("Clean-up of lock table {} failed", this.options.qualifiedTableName(), ex);
        }
    }

    /**
     * Runs an owner-checked statement, once more on a new connection if the first failed with a broken connection
     * or lost a race: both leave nothing applied, and the statement has the same effect when repeated.
     */
    final boolean idempotently(String operation, String key, SqlWork<Boolean> work) {
        try {
            return inOwnTransaction(work);
        }
        catch (SQLException first) {
            // A pool that timed out handing out a connection would only make the caller wait as long again.
            boolean retry = !(first instanceof SQLTransientConnectionException)
                    && (SqlErrors.isConnectionFailure(first) || SqlErrors.isLostRace(first));
            if (!retry) {
                throw failure(operation, key, first);
            }
            logger.debug("{} of lock '{}' failed ({}); trying once more on a new connection", operation, key,
                    CredentialMasking.mask(first.getMessage()));
            try {
                return inOwnTransaction(work);
            }
            catch (SQLException second) {
                second.addSuppressed(first);
                throw failure(operation, key, second);
            }
        }
    }

    private <T> T inOwnTransaction(SqlWork<T> work) throws SQLException {
        try (Connection connection = this.dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            try {
                T result = work.run(connection);
                if (!autoCommit) {
                    connection.commit();
                }
                return result;
            }
            catch (SQLException | RuntimeException ex) {
                if (!autoCommit) {
                    rollbackQuietly(connection, ex);
                }
                throw ex;
            }
        }
    }

    private LockTableException failure(String operation, String key, SQLException ex) {
        return new LockTableException(LockTableException.Reason.STATEMENT_FAILED, this.options, this.platform, null,
                "Could not " + operation + " lock '" + key + "' in table " + this.options.qualifiedTableName() + " ("
                + this.platform.displayName() + "): " + ex.getMessage(), ex);
    }

    static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        }
        catch (SQLException ex) {
            cause.addSuppressed(ex);
        }
    }

    static long leaseMicros(Duration leaseTime) {
        if (leaseTime.isNegative() || leaseTime.isZero()) {
            throw new IllegalArgumentException("Lease time must be positive, was " + leaseTime);
        }
        return Math.max(1, TimeUnit.MICROSECONDS.convert(leaseTime));
    }

    static void requireValidKey(String key, int maxKeyLength) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("Lock key must not be empty");
        }
        if (key.length() > maxKeyLength) {
            throw new IllegalArgumentException("Lock key is " + key.length() + " characters long; the JDBC backend's "
                    + "key column holds at most " + maxKeyLength);
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\0') {
                throw new IllegalArgumentException("Lock key contains a NUL character at index " + i
                        + ", which the JDBC backend does not store");
            }
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("Lock key contains an unpaired surrogate at index " + i
                        + "; it has no UTF-8 form and would collide with other keys");
            }
        }
    }

    static void requireValidOwnerToken(String ownerToken) {
        if (ownerToken.isEmpty() || ownerToken.length() > MAX_OWNER_TOKEN_LENGTH) {
            throw new IllegalArgumentException("Owner token must have 1 to " + MAX_OWNER_TOKEN_LENGTH
                    + " characters, had " + ownerToken.length());
        }
        for (int i = 0; i < ownerToken.length(); i++) {
            char c = ownerToken.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("Owner token must consist of printable ASCII characters");
            }
        }
    }

    @FunctionalInterface
    interface SqlWork<T> {

        T run(Connection connection) throws SQLException;

    }

}
