package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.spi.AcquireResult;

/**
 * PostgreSQL: {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE expired}. Under READ COMMITTED a conflicting
 * row is locked and the {@code WHERE} is evaluated on its latest committed version, so of two attempts on an
 * expired row only the first takes it; under REPEATABLE READ or SERIALIZABLE the loser fails with a serialization
 * error instead, which the backend reports as a refused attempt. Time is {@code clock_timestamp()}, the real time at
 * evaluation (not the transaction's start), in a {@code timestamptz} column.
 *
 * <p>The refused case reads the holder's expiry in the same statement: the outer {@code SELECT} of a
 * data-modifying {@code WITH} sees the table as it was before the insert attempt.
 *
 * <h2>The queue, with release notification on</h2>
 * The key's waiters live in its own row ({@code waiters}, oldest first, one {@code 'wait-end owner node'} entry per
 * waiter, wait ends in database microseconds), so that every change to the queue takes the row lock that grants and
 * releases take: a waiting attempt that finds the key held adds itself in the same statement (or keeps its place),
 * and a release, blocked until that attempt commits, then works on the row's latest version and sees it. A queue
 * in a table of its own could not give that: a release's statement would read the queue from a snapshot taken
 * before it waited for the row. A release that finds a waiter whose wait has not ended stores it as the owner, with
 * the next fencing token, a claim time of {@link NotifyingJdbcLeaseBackend#HAND_OFF_CLAIM_TIME} and its node, and
 * runs {@code pg_notify} on that node's channel only ({@code 'distlock_' || node}, payload {@code key LF owner}); a
 * release nobody waits for notifies nobody. Entries whose wait ended are dropped whenever the row is written. At most
 * {@value #MAX_QUEUED_WAITERS} waiters queue per key, which bounds the row (a waiter beyond it retries when the
 * holder's lease would end).
 */
final class PostgresLockStatements extends LockStatements {

    /** The most waiters one key's queue holds. */
    static final int MAX_QUEUED_WAITERS = 1000;

    // Now, in database microseconds since the epoch: the clock queue entries' wait ends are measured on.
    private static final String NOW_MICROS = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint";

    private final String acquireSql;

    private final String acquireOrQueueSql;

    private final String leaveQueueSql;

    private final boolean handingOff;

    PostgresLockStatements(JdbcLockOptions options) {
        super(options, renewSql(options), releaseSql(options), deleteExpiredSql(options));
        this.handingOff = options.releaseNotification();
        String table = options.qualifiedTableName();
        String nextToken = nextToken(options);
        this.acquireSql = """
                WITH attempt AS (
                    INSERT INTO %1$s AS held (lock_key, owner_token, fencing_token, expires_at)
                    VALUES (?, ?, %2$s, clock_timestamp() + ? * INTERVAL '1 microsecond')
                    ON CONFLICT (lock_key) DO UPDATE
                        SET owner_token = EXCLUDED.owner_token,
                            fencing_token = %2$s,
                            expires_at = EXCLUDED.expires_at,
                            owner_node = NULL
                        WHERE held.expires_at <= clock_timestamp()
                    RETURNING held.fencing_token
                )
                SELECT fencing_token, NULL::bigint FROM attempt
                UNION ALL
                SELECT NULL, (EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000000)::bigint
                FROM %1$s
                WHERE lock_key = ? AND NOT EXISTS (SELECT 1 FROM attempt)
                """.formatted(table, nextToken);
        // On conflict the row is always written: taken over when free, claimed when it was handed to this owner,
        // otherwise with this owner in its queue (its place kept, its wait end renewed).
        this.acquireOrQueueSql = """
                WITH me AS (
                    SELECT ?::text AS lock_key, ?::text AS owner_token, ?::bigint AS lease_micros,
                           ?::bigint AS wait_micros, ?::text AS node, %3$s AS now_micros
                )
                INSERT INTO %1$s AS held (lock_key, owner_token, fencing_token, expires_at, owner_node)
                SELECT me.lock_key, me.owner_token, %2$s,
                       clock_timestamp() + me.lease_micros * INTERVAL '1 microsecond', me.node
                FROM me
                ON CONFLICT (lock_key) DO UPDATE
                    SET (owner_token, fencing_token, expires_at, owner_node, waiters) = (
                        SELECT CASE WHEN state.takes THEN EXCLUDED.owner_token ELSE held.owner_token END,
                               CASE WHEN state.free THEN %2$s ELSE held.fencing_token END,
                               CASE WHEN state.takes THEN EXCLUDED.expires_at ELSE held.expires_at END,
                               CASE WHEN state.takes THEN EXCLUDED.owner_node ELSE held.owner_node END,
                               NULLIF(ARRAY(
                                   SELECT queue.entry FROM (
                                       SELECT CASE WHEN split_part(w.entry, ' ', 2) = me.owner_token
                                                   THEN state.mine ELSE w.entry END AS entry, w.place
                                       FROM unnest(held.waiters) WITH ORDINALITY AS w(entry, place)
                                       WHERE split_part(w.entry, ' ', 1)::bigint > me.now_micros
                                         AND NOT (state.takes AND split_part(w.entry, ' ', 2) = me.owner_token)
                                       UNION ALL
                                       SELECT state.mine, %4$d
                                       WHERE NOT state.takes
                                         AND COALESCE(cardinality(held.waiters), 0) < %5$d
                                         AND me.owner_token NOT IN (
                                             SELECT split_part(x.entry, ' ', 2)
                                             FROM unnest(held.waiters) AS x(entry))
                                   ) AS queue ORDER BY queue.place), '{}')
                        FROM me CROSS JOIN LATERAL (
                            SELECT held.expires_at <= clock_timestamp() AS free,
                                   held.expires_at <= clock_timestamp()
                                       OR held.owner_token = EXCLUDED.owner_token AS takes,
                                   (me.now_micros + me.wait_micros)::text || ' ' || me.owner_token || ' ' || me.node
                                       AS mine
                        ) AS state
                    )
                RETURNING held.owner_token, held.fencing_token,
                          (EXTRACT(EPOCH FROM (held.expires_at - clock_timestamp())) * 1000000)::bigint
                """.formatted(table, nextToken, NOW_MICROS, Integer.MAX_VALUE, MAX_QUEUED_WAITERS);
        this.leaveQueueSql = """
                UPDATE %s AS held SET waiters = NULLIF(ARRAY(
                    SELECT w.entry FROM unnest(held.waiters) WITH ORDINALITY AS w(entry, place)
                    WHERE split_part(w.entry, ' ', 2) <> ? ORDER BY w.place), '{}')
                WHERE held.lock_key = ?
                  AND ? IN (SELECT split_part(x.entry, ' ', 2) FROM unnest(held.waiters) AS x(entry))
                """.formatted(table);
    }

    private static String nextToken(JdbcLockOptions options) {
        return "nextval('" + options.qualifiedSequenceName() + "')";
    }

    private static String renewSql(JdbcLockOptions options) {
        return """
                UPDATE %s SET expires_at = clock_timestamp() + ? * INTERVAL '1 microsecond'
                WHERE lock_key = ? AND owner_token = ? AND expires_at > clock_timestamp()
                """.formatted(options.qualifiedTableName());
    }

    private static String releaseSql(JdbcLockOptions options) {
        if (!options.releaseNotification()) {
            return """
                    UPDATE %s SET expires_at = clock_timestamp()
                    WHERE lock_key = ? AND owner_token = ? AND expires_at > clock_timestamp()
                    """.formatted(options.qualifiedTableName());
        }
        // The row lock orders this release after every attempt that queued before it, and the SET works on the
        // row's latest version: the head of the queue it sees is the oldest waiter whose wait has not ended. The
        // notification is delivered when the release commits.
        long claimMicros = TimeUnit.MICROSECONDS.convert(NotifyingJdbcLeaseBackend.HAND_OFF_CLAIM_TIME);
        return """
                WITH released AS (
                    UPDATE %1$s AS held SET (owner_token, fencing_token, expires_at, owner_node, waiters) = (
                        SELECT COALESCE(split_part(head.entry, ' ', 2), held.owner_token),
                               CASE WHEN head.entry IS NULL THEN held.fencing_token ELSE %2$s END,
                               clock_timestamp() + CASE WHEN head.entry IS NULL THEN 0 ELSE %3$d END
                                   * INTERVAL '1 microsecond',
                               CASE WHEN head.entry IS NULL THEN held.owner_node
                                    ELSE split_part(head.entry, ' ', 3) END,
                               CASE WHEN head.entry IS NOT NULL THEN NULLIF(ARRAY(
                                   SELECT w.entry FROM unnest(held.waiters) WITH ORDINALITY AS w(entry, place)
                                   WHERE w.place > head.place AND split_part(w.entry, ' ', 1)::bigint > head.now_micros
                                   ORDER BY w.place), '{}') END
                        FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                            SELECT w.entry, w.place, now.micros AS now_micros
                            FROM (SELECT %4$s AS micros) AS now,
                                 unnest(held.waiters) WITH ORDINALITY AS w(entry, place)
                            WHERE split_part(w.entry, ' ', 1)::bigint > now.micros
                            ORDER BY w.place LIMIT 1
                        ) AS head ON true
                    )
                    WHERE held.lock_key = ? AND held.owner_token = ? AND held.expires_at > clock_timestamp()
                    RETURNING held.lock_key, held.owner_token, held.owner_node
                )
                SELECT CASE WHEN released.owner_token <> ?
                           THEN pg_notify('distlock_' || released.owner_node,
                                   released.lock_key || chr(10) || released.owner_token) END
                FROM released
                """.formatted(options.qualifiedTableName(), nextToken(options), claimMicros, NOW_MICROS);
    }

    @Override
    boolean release(Connection connection, String key, String owner) throws SQLException {
        if (!this.handingOff) {
            return super.release(connection, key, owner);
        }
        try (PreparedStatement statement = prepare(connection, releaseSql())) {
            statement.setString(1, key);
            statement.setString(2, owner);
            statement.setString(3, owner);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /**
     * Takes the key (free, or handed to this owner), or puts the owner in its queue, in one statement.
     * @return granted with the fencing token, or held with the holder's remaining time
     */
    AcquireResult acquireOrQueue(Connection connection, String key, String owner, long leaseMicros, long waitMicros,
            String node) throws SQLException {
        try (PreparedStatement statement = prepareAcquire(connection, this.acquireOrQueueSql, key, owner,
                leaseMicros)) {
            statement.setLong(4, waitMicros);
            statement.setString(5, node);
            try (ResultSet rows = statement.executeQuery()) {
                // The statement always inserts or writes the row, so it returns it.
                rows.next();
                if (owner.equals(rows.getString(1))) {
                    return AcquireResult.granted(rows.getLong(2));
                }
                return heldFor(rows.getLong(3));
            }
        }
    }

    /**
     * Takes the owner out of the key's queue and, if the key was handed to it meanwhile, releases it to the next
     * waiter.
     */
    void leaveQueue(Connection connection, String key, String owner) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.leaveQueueSql)) {
            statement.setString(1, owner);
            statement.setString(2, key);
            statement.setString(3, owner);
            statement.executeUpdate();
        }
        release(connection, key, owner);
    }

    @Override
    void probeMore(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        if (!this.handingOff) {
            return;
        }
        String node = "0".repeat(NotifyingJdbcLeaseBackend.NODE_ID_LENGTH);
        if (!acquireOrQueue(connection, key, owner, leaseMicros, leaseMicros, node).isGranted()) {
            throw new SQLException("the probe key was not granted to a queueing attempt");
        }
        leaveQueue(connection, key, owner);
    }

    private static String deleteExpiredSql(JdbcLockOptions options) {
        // SKIP LOCKED leaves rows that an acquire is taking over right now; FOR UPDATE re-checks the expiry on the
        // latest version of each row it locks.
        return """
                DELETE FROM %1$s WHERE lock_key IN (
                    SELECT lock_key FROM %1$s
                    WHERE expires_at < clock_timestamp() - ? * INTERVAL '1 microsecond'
                    ORDER BY expires_at
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED
                )
                """.formatted(options.qualifiedTableName());
    }

    @Override
    AcquireResult acquire(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        try (PreparedStatement statement = prepareAcquire(connection, this.acquireSql, key, owner, leaseMicros)) {
            statement.setString(4, key);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    // The holder committed after this statement's snapshot was taken: held, for an unknown time.
                    return AcquireResult.heldByAnother();
                }
                long token = rows.getLong(1);
                if (!rows.wasNull()) {
                    return AcquireResult.granted(token);
                }
                return heldFor(rows.getLong(2));
            }
        }
    }

}
