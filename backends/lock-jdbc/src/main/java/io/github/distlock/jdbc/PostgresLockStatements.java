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
 *
 * <h2>Shared leases</h2>
 * Readers are entries of the row's {@code readers} array ({@code 'lease-end owner'}, lease ends in database
 * microseconds); while any holds, {@code owner_token} is {@link #READERS_MARK} and {@code expires_at} the end of the
 * longest reader lease, both rewritten with the array by each shared statement. A shared grant is an
 * {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} (no writer holds, no writer in {@code waiters} still waits),
 * like the plain acquire; renewal and release are owner-checked {@code UPDATE}s on the reader's entry, and the last
 * reader's release hands the key on exactly as the release above does. The readers of one key are not bounded: each
 * shared statement rewrites the array, so its cost grows with the readers holding the key at once. With release
 * notification off the same statements serve {@link SharingJdbcLeaseBackend}: a waiting writer's intent is its place
 * in {@code waiters} with an empty node, so the hand-off of the last reader's release notifies no listener and the
 * writer's next polling attempt claims it.
 */
final class PostgresLockStatements extends LockStatements implements SharedLeaseStatements {

    /** The most waiters one key's queue holds. */
    static final int MAX_QUEUED_WAITERS = 1000;

    // Now, in database microseconds since the epoch: the clock queue entries' wait ends are measured on.
    private static final String NOW_MICROS = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint";

    // The origin of NOW_MICROS, to turn a reader's lease end back into an expires_at exactly.
    private static final String EPOCH = "TIMESTAMPTZ 'epoch'";

    /**
     * The owner_token of a row held by readers. Owner tokens have no spaces, so none equals it: the exclusive
     * statements, owner-checked on owner_token, see the key held by someone else until the longest reader lease ends.
     */
    static final String READERS_MARK = " readers";

    private final String acquireSql;

    private final String acquireOrQueueSql;

    private final String leaveQueueSql;

    private final String acquireSharedSql;

    private final String renewSharedSql;

    private final String releaseSharedSql;

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
        this.acquireSharedSql = acquireSharedSql(table, nextToken);
        this.renewSharedSql = renewSharedSql(table);
        this.releaseSharedSql = releaseSharedSql(table, nextToken);
    }

    /*
     * The shared statements. Every one works on the key's row under its row lock and rewrites owner_token,
     * expires_at and readers together, so that expires_at is always the end of the longest reader lease while
     * owner_token is READERS_MARK: the exclusive statements need no change to refuse while readers hold, and they
     * report the longest reader lease as the remaining time. Reader entries whose lease ended are dropped whenever
     * the row is written; a takeover by a writer leaves them (all ended, or the key would not have been free), and
     * the shared statements ignore them.
     */

    private static String acquireSharedSql(String table, String nextToken) {
        // Allowed when no writer holds (the row is free or held by readers) and no writer waits. Each grant draws a
        // token after the row lock, so it lies between the writers' tokens before and after it.
        return """
                WITH me AS (
                    SELECT ?::text AS lock_key, ?::text AS owner_token, ?::bigint AS lease_micros
                ), attempt AS (
                    INSERT INTO %1$s AS held (lock_key, owner_token, fencing_token, expires_at, readers)
                    SELECT me.lock_key, '%2$s', %3$s, %5$s + mine.lease_end * INTERVAL '1 microsecond',
                           ARRAY[mine.lease_end::text || ' ' || me.owner_token]
                    FROM me CROSS JOIN LATERAL (SELECT %4$s + me.lease_micros AS lease_end) AS mine
                    ON CONFLICT (lock_key) DO UPDATE
                        SET (owner_token, fencing_token, expires_at, owner_node, readers) = (
                            SELECT '%2$s', %3$s, %5$s + last.lease_end * INTERVAL '1 microsecond', NULL, list.entries
                            FROM me
                            CROSS JOIN LATERAL (SELECT %4$s AS micros) AS now
                            CROSS JOIN LATERAL (SELECT ARRAY(
                                SELECT r.entry FROM unnest(held.readers) WITH ORDINALITY AS r(entry, place)
                                WHERE split_part(r.entry, ' ', 1)::bigint > now.micros
                                  AND split_part(r.entry, ' ', 2) <> me.owner_token
                                UNION ALL
                                SELECT (now.micros + me.lease_micros)::text || ' ' || me.owner_token
                            ) AS entries) AS list
                            CROSS JOIN LATERAL (
                                SELECT max(split_part(e.entry, ' ', 1)::bigint) AS lease_end
                                FROM unnest(list.entries) AS e(entry)
                            ) AS last
                        )
                        WHERE (held.owner_token = '%2$s' OR held.expires_at <= clock_timestamp())
                          AND NOT EXISTS (
                              SELECT 1 FROM unnest(held.waiters) AS w(entry)
                              WHERE split_part(w.entry, ' ', 1)::bigint > %4$s)
                    RETURNING held.fencing_token
                )
                SELECT fencing_token, NULL::bigint FROM attempt
                UNION ALL
                SELECT NULL, CASE WHEN owner_token <> '%2$s' AND expires_at > clock_timestamp()
                    THEN (EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000000)::bigint END
                FROM %1$s
                WHERE lock_key = (SELECT lock_key FROM me) AND NOT EXISTS (SELECT 1 FROM attempt)
                """.formatted(table, READERS_MARK, nextToken, NOW_MICROS, EPOCH);
    }

    private static String renewSharedSql(String table) {
        // The owner's entry is kept even if it ended between the WHERE and the SET (microseconds apart): the
        // WHERE found it holding.
        return """
                WITH me AS (
                    SELECT ?::bigint AS lease_micros, ?::text AS lock_key, ?::text AS owner_token
                )
                UPDATE %1$s AS held SET (expires_at, readers) = (
                    SELECT %4$s + last.lease_end * INTERVAL '1 microsecond', list.entries
                    FROM me
                    CROSS JOIN LATERAL (SELECT %3$s AS micros) AS now
                    CROSS JOIN LATERAL (SELECT ARRAY(
                        SELECT CASE WHEN split_part(r.entry, ' ', 2) = me.owner_token
                                    THEN (now.micros + me.lease_micros)::text || ' ' || me.owner_token
                                    ELSE r.entry END
                        FROM unnest(held.readers) WITH ORDINALITY AS r(entry, place)
                        WHERE split_part(r.entry, ' ', 1)::bigint > now.micros
                           OR split_part(r.entry, ' ', 2) = me.owner_token
                        ORDER BY r.place
                    ) AS entries) AS list
                    CROSS JOIN LATERAL (
                        SELECT max(split_part(e.entry, ' ', 1)::bigint) AS lease_end
                        FROM unnest(list.entries) AS e(entry)
                    ) AS last
                )
                FROM me
                WHERE held.lock_key = me.lock_key AND held.owner_token = '%2$s'
                  AND EXISTS (
                      SELECT 1 FROM unnest(held.readers) AS r(entry)
                      WHERE split_part(r.entry, ' ', 2) = me.owner_token
                        AND split_part(r.entry, ' ', 1)::bigint > %3$s)
                """.formatted(table, READERS_MARK, NOW_MICROS, EPOCH);
    }

    private static String releaseSharedSql(String table, String nextToken) {
        // With other readers left, the key stays theirs until the longest of their leases ends. The last reader's
        // release hands the key to the oldest waiter whose wait has not ended, exactly as an exclusive release
        // does (next token, claim time, the waiter's node notified when this commits); with nobody waiting it ends
        // at once.
        long claimMicros = TimeUnit.MICROSECONDS.convert(NotifyingJdbcLeaseBackend.HAND_OFF_CLAIM_TIME);
        return """
                WITH me AS (
                    SELECT ?::text AS lock_key, ?::text AS owner_token
                ), released AS (
                    UPDATE %1$s AS held SET (owner_token, fencing_token, expires_at, owner_node, waiters, readers) = (
                        SELECT COALESCE(split_part(head.entry, ' ', 2), held.owner_token),
                               CASE WHEN head.entry IS NULL THEN held.fencing_token ELSE %3$s END,
                               CASE WHEN last.lease_end IS NOT NULL
                                        THEN %5$s + last.lease_end * INTERVAL '1 microsecond'
                                    WHEN head.entry IS NOT NULL
                                        THEN clock_timestamp() + %6$d * INTERVAL '1 microsecond'
                                    ELSE clock_timestamp() END,
                               CASE WHEN head.entry IS NULL THEN held.owner_node
                                    ELSE split_part(head.entry, ' ', 3) END,
                               CASE WHEN head.entry IS NULL THEN held.waiters ELSE NULLIF(ARRAY(
                                   SELECT w.entry FROM unnest(held.waiters) WITH ORDINALITY AS w(entry, place)
                                   WHERE w.place > head.place AND split_part(w.entry, ' ', 1)::bigint > now.micros
                                   ORDER BY w.place), '{}') END,
                               NULLIF(list.entries, '{}')
                        FROM me
                        CROSS JOIN LATERAL (SELECT %4$s AS micros) AS now
                        CROSS JOIN LATERAL (SELECT ARRAY(
                            SELECT r.entry FROM unnest(held.readers) WITH ORDINALITY AS r(entry, place)
                            WHERE split_part(r.entry, ' ', 1)::bigint > now.micros
                              AND split_part(r.entry, ' ', 2) <> me.owner_token
                            ORDER BY r.place
                        ) AS entries) AS list
                        CROSS JOIN LATERAL (
                            SELECT max(split_part(e.entry, ' ', 1)::bigint) AS lease_end
                            FROM unnest(list.entries) AS e(entry)
                        ) AS last
                        LEFT JOIN LATERAL (
                            SELECT w.entry, w.place
                            FROM unnest(held.waiters) WITH ORDINALITY AS w(entry, place)
                            WHERE last.lease_end IS NULL AND split_part(w.entry, ' ', 1)::bigint > now.micros
                            ORDER BY w.place LIMIT 1
                        ) AS head ON true
                    )
                    FROM me
                    WHERE held.lock_key = me.lock_key AND held.owner_token = '%2$s'
                      AND EXISTS (
                          SELECT 1 FROM unnest(held.readers) AS r(entry)
                          WHERE split_part(r.entry, ' ', 2) = me.owner_token
                            AND split_part(r.entry, ' ', 1)::bigint > %4$s)
                    RETURNING held.lock_key, held.owner_token, held.owner_node
                )
                SELECT CASE WHEN released.owner_token <> '%2$s'
                           THEN pg_notify('distlock_' || released.owner_node,
                                   released.lock_key || chr(10) || released.owner_token) END
                FROM released
                """.formatted(table, READERS_MARK, nextToken, NOW_MICROS, EPOCH, claimMicros);
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

    /**
     * Without release notification, a waiting writer's intent is its place in the queue with no node to tell: the
     * last reader's release still hands the key to it, and its next attempt, within the claim time as the engine's
     * backoff is shorter, claims it.
     */
    @Override
    public AcquireResult acquireAsWaitingWriter(Connection connection, String key, String owner, long leaseMicros,
            long waitMicros) throws SQLException {
        return acquireOrQueue(connection, key, owner, leaseMicros, waitMicros, "");
    }

    @Override
    public void endWriterIntent(Connection connection, String key, String owner) throws SQLException {
        leaveQueue(connection, key, owner);
    }

    /**
     * Takes a shared lease on the key if no writer holds it and none waits for it, in one statement.
     * @return granted with the fencing token, or held with the writer's remaining time (none when a waiting writer
     *     is the reason, or when the holder committed after this statement's snapshot)
     */
    @Override
    public AcquireResult acquireShared(Connection connection, String key, String owner, long leaseMicros)
            throws SQLException {
        try (PreparedStatement statement = prepareAcquire(connection, this.acquireSharedSql, key, owner,
                leaseMicros)) {
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return AcquireResult.heldByAnother();
                }
                long token = rows.getLong(1);
                if (!rows.wasNull()) {
                    return AcquireResult.granted(token);
                }
                long remaining = rows.getLong(2);
                return rows.wasNull() ? AcquireResult.heldByAnother() : heldFor(remaining);
            }
        }
    }

    /** Extends the owner's shared lease if it still holds one on the key. */
    @Override
    public boolean renewShared(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.renewSharedSql)) {
            statement.setLong(1, leaseMicros);
            statement.setString(2, key);
            statement.setString(3, owner);
            return statement.executeUpdate() > 0;
        }
    }

    /** Ends the owner's shared lease; the last reader's release hands the key to the oldest waiter. */
    @Override
    public boolean releaseShared(Connection connection, String key, String owner) throws SQLException {
        try (PreparedStatement statement = prepare(connection, this.releaseSharedSql)) {
            statement.setString(1, key);
            statement.setString(2, owner);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    @Override
    void probeMore(Connection connection, String key, String owner, long leaseMicros) throws SQLException {
        // Both backends on PostgreSQL queue writers and grant shared leases, so both need the queue's columns and
        // readers; only the notifying one tells waiters' nodes.
        String node = "0".repeat(NotifyingJdbcLeaseBackend.NODE_ID_LENGTH);
        if (!acquireOrQueue(connection, key, owner, leaseMicros, leaseMicros, node).isGranted()) {
            throw new SQLException("the probe key was not granted to a queueing attempt");
        }
        leaveQueue(connection, key, owner);
        if (!acquireShared(connection, key, owner, leaseMicros).isGranted()) {
            throw new SQLException("the probe key was not granted to a shared attempt");
        }
        if (!renewShared(connection, key, owner, leaseMicros)) {
            throw new SQLException("the probe's shared lease could not be renewed");
        }
        if (!releaseShared(connection, key, owner)) {
            throw new SQLException("the probe's shared lease could not be released");
        }
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
