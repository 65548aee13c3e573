package io.github.distlock.jdbc;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.SharedLeaseBackend;

/**
 * A {@link JdbcLeaseBackend} on MariaDB or H2, or on PostgreSQL with release notification off, that grants shared
 * leases ({@link SharedLeaseBackend}, for {@code READ} locks) besides exclusive ones. It announces no releases:
 * waiters, readers and writers, retry with the engine's backoff.
 *
 * <h2>Shared leases</h2>
 * Readers are lines of the key's row (column {@code readers}, one {@code 'lease-end owner'} line each). While readers
 * hold the key, the row's owner is {@link PostgresLockStatements#READERS_MARK}, which no owner token equals, and its
 * {@code expires_at} the end of the longest reader lease, so every exclusive statement, unchanged, refuses while any
 * reader holds and reports that lease as the holder's remaining time. A shared grant is refused while a writer holds
 * the key and while a waiting writer's intent has not ended, and draws its fencing token from the same sequence after
 * it holds the row lock, so it lies between the tokens of the writers before and after it. Shared renewals and
 * releases are owner-checked on the reader's line, which ends by database time like every lease here.
 *
 * <h2>A waiting writer's intent</h2>
 * A writer that waits makes its attempts with {@link #tryAcquireAsWaitingWriter}: the first one of a wait tries the
 * plain exclusive statement, at the plain cost; once that refused it, the attempt and every later one of the wait go
 * through the row-locked transaction, which records the intent in the row (column {@code waiters}, one
 * {@code 'wait-end owner'} line, its end counted from the database's time of the first refusal by the remaining
 * wait), keeps it, and removes it with the grant. {@link #endWriterIntent} removes
 * it and releases the key if the wait got it. An intent whose wait has ended is ignored, so a writer that vanished
 * keeps readers out no longer than it meant to wait. On MariaDB and H2 every shared decision is made in a short
 * transaction holding the key's row lock, with the database's time (see {@link RowLockingStatements}). On PostgreSQL
 * the statements are those of {@link NotifyingJdbcLeaseBackend}, one per decision: readers in the {@code readers}
 * array, and the intent a place in the row's queue ({@code waiters}) with no node to notify; the last reader's
 * release hands the key to the oldest waiting writer for {@link NotifyingJdbcLeaseBackend#HAND_OFF_CLAIM_TIME},
 * which its next attempt claims (the engine's backoff is far shorter), while an exclusive release leaves the key
 * free for whoever asks first.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class SharingJdbcLeaseBackend extends JdbcLeaseBackend implements SharedLeaseBackend {

    private final SharedLeaseStatements sharing;

    // The owners of waits in progress whose attempts may have recorded an intent: only their attempts need the
    // transaction that grants and removes the intent together; a wait's first attempt tries the plain statement.
    private final Set<String> possiblyWaiting = ConcurrentHashMap.newKeySet();

    SharingJdbcLeaseBackend(DataSource dataSource, JdbcLockOptions options, JdbcPlatform platform) {
        super(dataSource, options, platform);
        this.sharing = (SharedLeaseStatements) statements();
    }

    @Override
    public AcquireResult tryAcquireShared(String key, String ownerToken, Duration leaseTime) {
        return acquireShared(this.sharing, key, ownerToken, leaseTime);
    }

    @Override
    public AcquireResult tryAcquireAsWaitingWriter(String key, String ownerToken, Duration leaseTime,
            Duration remainingWait) {
        requireValidKey(key, maxKeyLength());
        requireValidOwnerToken(ownerToken);
        long leaseMicros = leaseMicros(leaseTime);
        long waitMicros = Math.max(1, TimeUnit.MICROSECONDS.convert(remainingWait));
        AcquireResult result = acquireWith(key, connection -> {
            if (!this.possiblyWaiting.contains(ownerToken)) {
                AcquireResult plain = statements().acquire(connection, key, ownerToken, leaseMicros);
                if (plain.isGranted()) {
                    return plain;
                }
                // Before the intent is written: a reply lost after it committed must not leave the owner marked as
                // having none, or its grant would leave the intent behind to keep readers out.
                this.possiblyWaiting.add(ownerToken);
            }
            return this.sharing.acquireAsWaitingWriter(connection, key, ownerToken, leaseMicros, waitMicros);
        });
        if (result.isGranted()) {
            this.possiblyWaiting.remove(ownerToken);
        }
        return result;
    }

    @Override
    public void endWriterIntent(String key, String ownerToken) {
        requireValidKey(key, maxKeyLength());
        requireValidOwnerToken(ownerToken);
        this.possiblyWaiting.remove(ownerToken);
        idempotently("end the writer's intent on", key, connection -> {
            this.sharing.endWriterIntent(connection, key, ownerToken);
            return true;
        });
    }

    @Override
    public boolean renewSharedIfOwner(String key, String ownerToken, Duration leaseTime) {
        return renewShared(this.sharing, key, ownerToken, leaseTime);
    }

    @Override
    public boolean releaseSharedIfOwner(String key, String ownerToken) {
        return releaseShared(this.sharing, key, ownerToken);
    }

}
