package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

import io.github.distlock.core.spi.AcquireResult;

/**
 * The shared-lease statements of a database, as {@link SharingJdbcLeaseBackend} uses them: implemented by
 * {@link RowLockingStatements} (MariaDB, H2; intents in the row) and {@link PostgresLockStatements} (intents as
 * places in the row's queue). Each method works on the connection it is given; the caller owns it. Implementations
 * are immutable and thread-safe.
 */
interface SharedLeaseStatements {

    /**
     * Takes a shared lease if no writer holds the key and no waiting writer's intent is alive.
     * @return granted with a new fencing token, or held with the writer's remaining time (none when a waiting writer
     *     is the reason)
     */
    AcquireResult acquireShared(Connection connection, String key, String owner, long leaseMicros)
            throws SQLException;

    /** Extends the owner's shared lease to {@code leaseMicros} from now if it still holds one. */
    boolean renewShared(Connection connection, String key, String owner, long leaseMicros) throws SQLException;

    /** Ends the owner's shared lease. */
    boolean releaseShared(Connection connection, String key, String owner) throws SQLException;

    /**
     * Takes the key if it is free (or already this owner's) and drops the owner's intent; otherwise records the
     * intent, ending {@code waitMicros} from now, or keeps the one recorded before.
     * @return granted with the fencing token, or held with the holder's remaining time
     */
    AcquireResult acquireAsWaitingWriter(Connection connection, String key, String owner, long leaseMicros,
            long waitMicros) throws SQLException;

    /** Drops the owner's intent and releases the key if this owner holds it. */
    void endWriterIntent(Connection connection, String key, String owner) throws SQLException;

}
