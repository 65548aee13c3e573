package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import io.github.distlock.core.spi.AcquireResult;

import org.jspecify.annotations.Nullable;

/**
 * The lock statements of a database without arrays (MariaDB, H2), with shared leases and waiting writers' intents
 * decided in a short transaction that holds the key's row lock. The exclusive statements are the dialect's own and
 * know nothing of readers.
 *
 * <h2>The row</h2>
 * Two text columns of the key's row hold the shared state, one entry per line:
 * <ul>
 * <li>{@code readers}: {@code 'lease-end owner'} per shared lease. While any is held, {@code owner_token} is
 * {@link PostgresLockStatements#READERS_MARK} (owner tokens have no spaces, so none equals it) and
 * {@code expires_at} the end of the longest reader lease: the exclusive statements, owner-checked and expiry-checked
 * on those two columns, refuse while readers hold and report the longest reader lease as the holder's remaining
 * time, without a change.</li>
 * <li>{@code waiters}: {@code 'wait-end owner'} per waiting writer (its intent); a shared grant is refused while an
 * entry whose wait has not ended exists. There is no queue: the writer that attempts first once the key is free gets
 * it, and its grant removes its own entry.</li>
 * </ul>
 * Ends are database microseconds since the epoch, read in the statement that locks the row. Entries whose end has
 * passed are ignored, and dropped whenever the row is written.
 *
 * <h2>The transaction</h2>
 * Each shared operation locks the row with {@code SELECT ... FOR UPDATE} (inserting a free row first when the key
 * has none, so that there is a row to lock), decides in Java on what it read, and writes the row with one
 * {@code UPDATE} before the commit releases the lock. Every grant, renewal and release of the key, exclusive ones
 * included, takes the same row lock, so no decision is made on a stale row; and every decision uses the time the
 * locking statement read from the database, never the application's clock. That time may be earlier than the moment
 * the lock was granted (MariaDB fixes it at the statement's start, H2 at the transaction's): an earlier time only
 * keeps leases and intents alive longer and gives new ones slightly earlier ends, so it can refuse, never grant
 * early. A fencing token is drawn from the sequence after the row lock is held, as the exclusive takeover does.
 *
 * <p>A free row that only carries intents keeps its {@code expires_at} from the lease that ended, so the clean-up
 * may delete it, intents included, once the row retention has passed; nobody holds the key then, and a waiting
 * writer's next attempt takes it.
 *
 * <p>Immutable and thread-safe.
 */
abstract class RowLockingStatements extends LockStatements implements SharedLeaseStatements {

    /** The most writer intents one key's row keeps; a writer beyond it waits without keeping readers out. */
    static final int MAX_WRITER_INTENTS = 1000;

    private static final String MARK = PostgresLockStatements.READERS_MARK;

    private final String lockRowSql;

    private final String insertFreeRowSql;

    private final String nextTokenSql;

    private final String writeRowSql;

    /**
     * @param lockRowSql selects, for the key (parameter 1), {@code owner_token, fencing_token}, the expiry and the
     *     database's current time in microseconds since the epoch, {@code readers, waiters}, locking the row
     * @param insertFreeRowSql inserts a free row for the key (parameter 1) unless one exists
     * @param nextTokenSql selects the sequence's next value
     * @param writeRowSql sets {@code owner_token, fencing_token}, the expiry from microseconds since the epoch,
     *     {@code readers, waiters} (parameters 1 to 5) of the key's row (parameter 6)
     */
    RowLockingStatements(JdbcLockOptions options, String renewSql, String releaseSql, String deleteExpiredSql,
            String lockRowSql, String insertFreeRowSql, String nextTokenSql, String writeRowSql) {
        super(options, renewSql, releaseSql, deleteExpiredSql);
        this.lockRowSql = lockRowSql;
        this.insertFreeRowSql = insertFreeRowSql;
        this.nextTokenSql = nextTokenSql;
        this.writeRowSql = writeRowSql;
    }

    /** Reads a key or owner token column the way {@link #bindText} stores it. */
    abstract String readText(ResultSet rows, int index) throws SQLException;

    /**
     * Takes a shared lease if no writer holds the key and no writer's intent is alive.
     * @return granted with a new fencing token, or held with the writer's remaining time (none when a waiting
     *     writer is the reason)
     */
    @Override
    public AcquireResult acquireShared(Connection connection, String key, String owner, long leaseMicros)
            throws SQLException {
        return underRowLock(connection, () -> {
            Row row = lockRow(connection, key, true);
            if (row == null) {
                return AcquireResult.heldByAnother();
            }
            if (row.heldByWriter()) {
                return heldFor(row.expiresMicros - row.nowMicros);
            }
            List<Entry> waiters = row.live(row.waiters);
            if (!waiters.isEmpty()) {
                return AcquireResult.heldByAnother();
            }
            List<Entry> readers = row.liveExcept(row.readers, owner);
            readers.add(new Entry(row.nowMicros + leaseMicros, owner));
            long token = nextToken(connection);
            write(connection, key, MARK, token, longest(readers), readers, waiters);
            return AcquireResult.granted(token);
        });
    }

    /** Extends the owner's shared lease to {@code leaseMicros} from now if it still holds one. */
    @Override
    public boolean renewShared(Connection connection, String key, String owner, long leaseMicros)
            throws SQLException {
        return underRowLock(connection, () -> {
            Row row = lockRow(connection, key, false);
            if (row == null || !row.heldByReader(owner)) {
                return false;
            }
            List<Entry> readers = row.liveExcept(row.readers, owner);
            readers.add(new Entry(row.nowMicros + leaseMicros, owner));
            write(connection, key, MARK, row.token, longest(readers), readers, row.live(row.waiters));
            return true;
        });
    }

    /** Ends the owner's shared lease; the last one's release leaves the key free at once. */
    @Override
    public boolean releaseShared(Connection connection, String key, String owner) throws SQLException {
        return underRowLock(connection, () -> {
            Row row = lockRow(connection, key, false);
            if (row == null || !row.heldByReader(owner)) {
                return false;
            }
            List<Entry> readers = row.liveExcept(row.readers, owner);
            long expires = readers.isEmpty() ? row.nowMicros : longest(readers);
            write(connection, key, MARK, row.token, expires, readers, row.live(row.waiters));
            return true;
        });
    }

    /**
     * Takes the key if it is free (or already this owner's) and drops the owner's intent; otherwise records the
     * intent, ending {@code waitMicros} from now, unless the owner has one already.
     * @return granted with the fencing token, or held with the holder's remaining time
     */
    @Override
    public AcquireResult acquireAsWaitingWriter(Connection connection, String key, String owner, long leaseMicros,
            long waitMicros) throws SQLException {
        return underRowLock(connection, () -> {
            Row row = lockRow(connection, key, true);
            if (row == null) {
                return AcquireResult.heldByAnother();
            }
            List<Entry> others = row.liveExcept(row.waiters, owner);
            boolean free = row.expiresMicros <= row.nowMicros;
            if (free || row.owner.equals(owner)) {
                // A key already this owner's is the grant of an earlier attempt whose reply was lost.
                long token = free ? nextToken(connection) : row.token;
                write(connection, key, owner, token, row.nowMicros + leaseMicros, List.of(), others);
                return AcquireResult.granted(token);
            }
            boolean recorded = others.size() < row.live(row.waiters).size();
            if (!recorded && others.size() < MAX_WRITER_INTENTS) {
                // The intent of a wait is recorded once: its end, now + remaining wait, does not move.
                others.add(new Entry(row.nowMicros + waitMicros, owner));
                write(connection, key, row.owner, row.token, row.expiresMicros, row.live(row.readers), others);
            }
            return heldFor(row.expiresMicros - row.nowMicros);
        });
    }

    /** Drops the owner's intent and releases the key if it is held by this owner. */
    @Override
    public void endWriterIntent(Connection connection, String key, String owner) throws SQLException {
        underRowLock(connection, () -> {
            Row row = lockRow(connection, key, false);
            if (row == null) {
                return null;
            }
            List<Entry> waiters = row.live(row.waiters);
            List<Entry> others = row.liveExcept(row.waiters, owner);
            boolean holds = row.owner.equals(owner) && row.expiresMicros > row.nowMicros;
            if (holds || others.size() < waiters.size()) {
                long expires = holds ? row.nowMicros : row.expiresMicros;
                write(connection, key, row.owner, row.token, expires, row.live(row.readers), others);
            }
            return null;
        });
    }

    @Override
    void probeMore(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        // The shared statements read and write the columns readers and waiters, which an older table lacks.
        if (!acquireShared(connection, key, owner, leaseMicros).isGranted()) {
            throw new SQLException("the probe key was not granted to a shared attempt");
        }
        if (!renewShared(connection, key, owner, leaseMicros)) {
            throw new SQLException("the probe's shared lease could not be renewed");
        }
        if (!releaseShared(connection, key, owner)) {
            throw new SQLException("the probe's shared lease could not be released");
        }
        if (!acquireAsWaitingWriter(connection, key, owner, leaseMicros, leaseMicros).isGranted()) {
            throw new SQLException("the probe key was not granted to a waiting writer's attempt");
        }
        endWriterIntent(connection, key, owner);
    }

    /**
     * Runs the work in one transaction: the row lock must be held from the read to the write. A connection in
     * auto-commit mode is switched out of it for the work and back afterwards; otherwise the caller commits.
     */
    private <T> T underRowLock(Connection connection, RowWork<T> work) throws SQLException {
        if (!connection.getAutoCommit()) {
            return work.run();
        }
        connection.setAutoCommit(false);
        try {
            T result = work.run();
            connection.commit();
            return result;
        }
        catch (SQLException | RuntimeException ex) {
            JdbcLeaseBackend.rollbackQuietly(connection, ex);
            throw ex;
        }
        finally {
            connection.setAutoCommit(true);
        }
    }

    private @Nullable Row lockRow(Connection connection, String key, boolean insertIfAbsent) throws SQLException {
        Row row = readLocked(connection, key);
        if (row != null || !insertIfAbsent) {
            return row;
        }
        try (PreparedStatement statement = prepare(connection, this.insertFreeRowSql)) {
            bindText(statement, 1, key);
            statement.executeUpdate();
        }
        // Null only if the clean-up deleted the row in between, which refuses this attempt.
        return readLocked(connection, key);
    }

    private @Nullable Row readLocked(Connection connection, String key) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.lockRowSql)) {
            bindText(statement, 1, key);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                return new Row(readText(rows, 1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                        Entry.parse(rows.getString(5)), Entry.parse(rows.getString(6)));
            }
        }
    }

    private long nextToken(Connection connection) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.nextTokenSql);
                ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new SQLException("the fencing-token sequence returned no value");
            }
            return rows.getLong(1);
        }
    }

    private void write(Connection connection, String key, String owner, long token, long expiresMicros,
            List<Entry> readers, List<Entry> waiters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.writeRowSql)) {
            bindText(statement, 1, owner);
            statement.setLong(2, token);
            statement.setLong(3, expiresMicros);
            setEntries(statement, 4, readers);
            setEntries(statement, 5, waiters);
            bindText(statement, 6, key);
            statement.executeUpdate();
        }
    }

    private static void setEntries(PreparedStatement statement, int index, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            statement.setNull(index, Types.VARCHAR);
            return;
        }
        StringBuilder text = new StringBuilder();
        for (Entry entry : entries) {
            text.append(entry.endMicros).append(' ').append(entry.owner).append('\n');
        }
        statement.setString(index, text.toString());
    }

    private static long longest(List<Entry> entries) {
        long end = Long.MIN_VALUE;
        for (Entry entry : entries) {
            end = Math.max(end, entry.endMicros);
        }
        return end;
    }

    @FunctionalInterface
    private interface RowWork<T> {

        T run() throws SQLException;

    }

    /** One line of {@code readers} or {@code waiters}: when it ends, and whose it is. */
    private record Entry(long endMicros, String owner) {

        static List<Entry> parse(@Nullable String text) {
            List<Entry> entries = new ArrayList<>();
            if (text == null) {
                return entries;
            }
            for (String line : text.split("\n")) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    entries.add(new Entry(Long.parseLong(line.substring(0, space)), line.substring(space + 1)));
                }
            }
            return entries;
        }

    }

    /** The key's row as the locking statement read it, with the database's time. */
    private record Row(String owner, long token, long expiresMicros, long nowMicros, List<Entry> readers,
            List<Entry> waiters) {

        boolean heldByWriter() {
            return this.expiresMicros > this.nowMicros && !this.owner.equals(MARK);
        }

        boolean heldByReader(String reader) {
            return this.owner.equals(MARK) && this.expiresMicros > this.nowMicros
                    && this.readers.stream().anyMatch(e -> e.owner.equals(reader) && e.endMicros > this.nowMicros);
        }

        List<Entry> live(List<Entry> entries) {
            return liveExcept(entries, null);
        }

        List<Entry> liveExcept(List<Entry> entries, @Nullable String owner) {
            List<Entry> kept = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.endMicros > this.nowMicros && !entry.owner.equals(owner)) {
                    kept.add(entry);
                }
            }
            return kept;
        }

    }

}
