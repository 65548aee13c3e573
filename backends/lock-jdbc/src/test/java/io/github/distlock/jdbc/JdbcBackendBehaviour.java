package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.QueueingLeaseBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the JDBC backend guarantees beyond the contract kit, on one database: races decided by the database,
 * independence from the caller's transaction, start-up errors for bad configuration, clean-up of ended locks, and
 * the fenced update. A platform's test class extends it and supplies the database.
 *
 * <p>Every test gets its own lock table with a random name, so that row counts are its own.
 */
abstract class JdbcBackendBehaviour {

    private static final int RACERS = 8;

    private static final int RACE_ROUNDS = 60;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    /** Returns the database of the test class, started once for all its tests. */
    abstract TestDatabase database();

    @AfterEach
    void closeResources() throws Exception {
        for (int i = this.closeAfter.size() - 1; i >= 0; i--) {
            this.closeAfter.get(i).close();
        }
        this.closeAfter.clear();
    }

    final DataSource pool(int size) {
        return closeLater(database().pool("behaviour-" + UUID.randomUUID(), size));
    }

    final JdbcLeaseBackend backend(DataSource pool, JdbcLockOptions options) {
        return closeLater(JdbcLeaseBackend.create(pool, options));
    }

    final LockEngine engine(JdbcLeaseBackend backend) {
        return closeLater(new LockEngine(backend));
    }

    final <T extends AutoCloseable> T closeLater(T resource) {
        this.closeAfter.add(resource);
        return resource;
    }

    static String uniqueKey() {
        return "order-" + UUID.randomUUID();
    }

    static String owner() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    final long rowsIn(JdbcLockOptions options) {
        return database().queryLong("SELECT COUNT(*) FROM " + options.qualifiedTableName());
    }

    @Test
    void acquisitionsStartedInTheSameMillisecondNeverBothWin() throws Exception {
        JdbcLockOptions options = database().createLockTable();
        JdbcLeaseBackend backend = backend(pool(RACERS), options);
        ExecutorService racers = Executors.newFixedThreadPool(RACERS);
        try {
            String sharedKey = uniqueKey();
            long lastSharedToken = Long.MIN_VALUE;
            for (int round = 0; round < RACE_ROUNDS; round++) {
                // Even rounds race for a key nobody ever locked (insert against insert); odd rounds for a key whose
                // lease just ended, alternately released and expired (takeover against takeover).
                String key = (round % 2 == 0) ? uniqueKey() : sharedKey;
                if (round % 2 == 1) {
                    String previous = owner();
                    boolean released = round % 4 == 1;
                    Duration lease = released ? TestTimings.LONG_LEASE : Duration.ofNanos(1000);
                    assertThat(backend.tryAcquire(key, previous, lease).isGranted()).as("set-up of round %s", round)
                        .isTrue();
                    if (released) {
                        assertThat(backend.releaseIfOwner(key, previous)).isTrue();
                    }
                }
                List<Attempt> winners = race(racers, backend, key).stream()
                    .filter(attempt -> attempt.result().isGranted())
                    .toList();
                assertThat(winners).as("winners of round %s", round).hasSize(1);
                Attempt winner = winners.get(0);
                if (round % 2 == 1) {
                    long token = winner.result().fencingToken().orElseThrow();
                    assertThat(token).as("token of round %s", round).isGreaterThan(lastSharedToken);
                    lastSharedToken = token;
                }
                assertThat(backend.releaseIfOwner(key, winner.owner())).isTrue();
            }
        }
        finally {
            racers.shutdownNow();
        }
    }

    /** Releases all racers at once (a barrier), so that their statements reach the database together. */
    private static List<Attempt> race(ExecutorService racers, JdbcLeaseBackend backend, String key) throws Exception {
        CyclicBarrier start = new CyclicBarrier(RACERS);
        List<Future<Attempt>> attempts = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            attempts.add(racers.submit(() -> {
                String owner = owner();
                start.await();
                return new Attempt(owner, backend.tryAcquire(key, owner, TestTimings.LONG_LEASE));
            }));
        }
        List<Attempt> results = new ArrayList<>();
        for (Future<Attempt> attempt : attempts) {
            results.add(attempt.get(TestTimings.EVENTUALLY.toSeconds(), TimeUnit.SECONDS));
        }
        return results;
    }

    private record Attempt(String owner, AcquireResult result) {
    }

    @Test
    void rollbackOfTheCallersTransactionNeitherUndoesNorKeepsTheLock() throws Exception {
        JdbcLockOptions options = database().createLockTable();
        String work = TestDatabase.randomTableName();
        database().execute("CREATE TABLE " + work + " (id INT)");
        DataSource pool = pool(4);
        JdbcLeaseBackend backend = backend(pool, options);
        LockEngine engine = engine(backend);
        String key = uniqueKey();
        try (Connection caller = pool.getConnection()) {
            caller.setAutoCommit(false);
            insertWork(caller, work);
            Lease lease = engine.acquire(LockRequest.of(key, TestTimings.LONG_LEASE).withReentrant(false));
            insertWork(caller, work);
            caller.rollback();
            assertThat(backend.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted())
                    .as("the lock after the caller's rollback").isFalse();

            insertWork(caller, work);
            lease.release();
            caller.rollback();
            assertThat(backend.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted())
                    .as("the key released inside a transaction that was rolled back").isTrue();
        }
        assertThat(database().queryLong("SELECT COUNT(*) FROM " + work)).as("the caller's rolled-back work").isZero();
    }

    private static void insertWork(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO " + table + " (id) VALUES (1)");
        }
    }

    @Test
    void callerInARepeatableReadTransactionSeesAnotherHoldersLock() throws Exception {
        JdbcLockOptions options = database().createLockTable();
        DataSource callerPool = pool(3);
        JdbcLeaseBackend callerBackend = backend(callerPool, options);
        JdbcLeaseBackend otherApplication = backend(pool(2), options);
        LockStatements statements = database().platform().statements(options);
        String key = uniqueKey();
        try (Connection caller = callerPool.getConnection()) {
            caller.setAutoCommit(false);
            caller.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertThat(statements.countRows(caller, key)).as("the lock row in the caller's first snapshot").isZero();

            assertThat(otherApplication.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();

            assertThat(callerBackend.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted())
                    .as("an acquire by the caller while another application holds the key").isFalse();
            assertThat(statements.countRows(caller, key))
                    .as("the caller's snapshot still hides the holder's row: a lock read through it would be wrong")
                    .isZero();
            caller.rollback();
        }
    }

    @Test
    void poolWithoutAutoCommitStillCommitsEveryLockStatement() {
        JdbcLockOptions options = database().createLockTable();
        DataSource pool = closeLater(database().pool("no-auto-commit", 2, database().adminUser(), "",
                config -> config.setAutoCommit(false)));
        JdbcLeaseBackend backend = backend(pool, options);
        JdbcLeaseBackend observer = backend(pool(2), options);
        String key = uniqueKey();
        String owner = owner();
        assertThat(backend.tryAcquire(key, owner, TestTimings.LONG_LEASE).isGranted()).isTrue();
        assertThat(observer.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted()).isFalse();
        assertThat(backend.renewIfOwner(key, owner, TestTimings.LONG_LEASE)).isTrue();
        assertThat(backend.releaseIfOwner(key, owner)).isTrue();
        assertThat(observer.tryAcquire(key, owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
    }

    @Test
    void keyLongerThanTheColumnIsRejectedBeforeAnyStatement() {
        JdbcLockOptions options = database().createLockTable();
        JdbcLeaseBackend backend = backend(pool(2), options);
        String tooLong = "k".repeat(options.maxKeyLength() + 1);
        assertThatIllegalArgumentException().isThrownBy(() -> backend.tryAcquire(tooLong, owner(), TestTimings.LONG_LEASE))
            .withMessageContaining("256 characters")
            .withMessageContaining("at most 255");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> engine(backend).tryAcquire(LockRequest.of(tooLong, TestTimings.LONG_LEASE)))
            .withMessageContaining("at most 255");
        assertThat(rowsIn(options)).as("rows written").isZero();
    }

    @Test
    void keysTheDatabaseCannotStoreExactlyAreRejectedBeforeAnyStatement() {
        JdbcLockOptions options = database().createLockTable();
        JdbcLeaseBackend backend = backend(pool(2), options);
        String base = uniqueKey();
        assertThatIllegalArgumentException()
            .isThrownBy(() -> backend.tryAcquire(base + "\u0000", owner(), TestTimings.LONG_LEASE))
            .withMessageContaining("NUL");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> backend.tryAcquire(base + "\ud800", owner(), TestTimings.LONG_LEASE))
            .withMessageContaining("unpaired surrogate");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> backend.tryAcquire(base + "\udc00x", owner(), TestTimings.LONG_LEASE))
            .withMessageContaining("unpaired surrogate");
        assertThat(rowsIn(options)).as("rows written").isZero();
    }

    @Test
    void missingTableIsAClearStartupError() {
        JdbcLockOptions options = JdbcLockOptions.defaults().withTable(null, TestDatabase.randomTableName());
        assertThatThrownBy(() -> JdbcLeaseBackend.create(pool(1), options)).isInstanceOf(LockTableException.class)
            .hasMessageContaining("Lock table " + options.qualifiedTableName())
            .hasMessageContaining("does not exist")
            .hasMessageContaining(database().platform().schemaResource())
            .satisfies(failure -> assertReported((LockTableException) failure, LockTableException.Reason.TABLE_MISSING,
                    options));
    }

    @Test
    void userWithoutRightsOnTheTableGetsAClearStartupErrorAndTheDocumentedRightsSuffice() {
        JdbcLockOptions options = database().createLockTable();
        String user = "locker" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        database().createUser(user, "secret");
        DataSource userPool = closeLater(database().pool("user-" + user, 2, user, "secret", config -> {
        }));
        assertThatThrownBy(() -> JdbcLeaseBackend.create(userPool, options)).isInstanceOf(LockTableException.class)
            .hasMessageContaining("lacks rights on lock table " + options.qualifiedTableName())
            .hasMessageContaining("Grant " + JdbcLockSchema.requiredRights(database().platform(), options))
            .satisfies(failure -> assertReported((LockTableException) failure,
                    LockTableException.Reason.PRIVILEGES_MISSING, options));

        database().grantLockRights(user, options);
        JdbcLeaseBackend backend = backend(userPool, shortRetention(options, Duration.ofMinutes(1), 10));
        String key = uniqueKey();
        String owner = owner();
        assertThat(backend.tryAcquire(key, owner, TestTimings.LONG_LEASE).fencingToken()).isPresent();
        assertThat(backend.renewIfOwner(key, owner, TestTimings.LONG_LEASE)).isTrue();
        assertThat(backend.releaseIfOwner(key, owner)).isTrue();
        pause(TestTimings.SHORT_RETENTION);
        assertThat(backend.deleteExpiredRows()).isEqualTo(1);
    }

    /** The reason and the facts a failure analyzer reports: which table, which database. */
    private void assertReported(LockTableException failure, LockTableException.Reason reason,
            JdbcLockOptions options) {
        assertThat(failure.reason()).isEqualTo(reason);
        assertThat(failure.options()).isEqualTo(options);
        assertThat(failure.platform()).isEqualTo(database().platform());
        assertThat(failure.database()).startsWith(database().platform().displayName())
            .contains(" at jdbc:" + database().platform().id());
    }

    @Test
    void keyColumnShorterThanTheMaximumKeyLengthIsAStartupError() {
        JdbcLockOptions options = JdbcLockOptions.defaults().withTable(null, TestDatabase.randomTableName());
        for (String ddl : JdbcLockSchema.statements(database().platform(), options)) {
            database().execute(ddl.replace("VARCHAR(255)", "VARCHAR(40)").replace("VARBINARY(765)", "VARBINARY(120)"));
        }
        assertThatThrownBy(() -> JdbcLeaseBackend.create(pool(1), options)).isInstanceOf(LockTableException.class)
            .hasMessageContaining("Column lock_key of lock table " + options.qualifiedTableName())
            .hasMessageContaining("cannot store keys of 255 characters")
            .satisfies(failure -> assertReported((LockTableException) failure,
                    LockTableException.Reason.KEY_COLUMN_TOO_SHORT, options));
        JdbcLeaseBackend backend = backend(pool(1), options.withMaxKeyLength(40));
        assertThat(backend.tryAcquire("\u20ac".repeat(40), owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
    }

    @Test
    void expiredRowsAreDeletedInBatchesWhileHeldAndRecentlyEndedLocksStay() {
        JdbcLockOptions retained = database().createLockTable();
        JdbcLockOptions options = shortRetention(retained, Duration.ofMinutes(1), 7);
        JdbcLeaseBackend backend = backend(pool(2), options);
        for (int i = 0; i < 30; i++) {
            String key = uniqueKey();
            String owner = owner();
            backend.tryAcquire(key, owner, TestTimings.LONG_LEASE);
            backend.releaseIfOwner(key, owner);
        }
        for (int i = 0; i < 3; i++) {
            backend.tryAcquire(uniqueKey(), owner(), TestTimings.LONG_LEASE);
        }
        JdbcLeaseBackend retaining = backend(pool(1), retained);
        assertThat(retaining.deleteExpiredRows()).as("rows deleted while they are retained for a minute").isZero();
        assertThat(rowsIn(options)).isEqualTo(33);

        pause(TestTimings.SHORT_RETENTION);
        assertThat(backend.deleteExpiredRows()).as("rows deleted in batches of 7").isEqualTo(30);
        assertThat(rowsIn(options)).as("rows of held locks").isEqualTo(3);
    }

    @Test
    void grantsAndReleasesDeleteEndedRowsOnceTheCleanupIntervalPassed() {
        Duration interval = Duration.ofMillis(200);
        JdbcLockOptions options = shortRetention(database().createLockTable(), interval, 100);
        JdbcLeaseBackend backend = backend(pool(2), options);
        String held = uniqueKey();
        assertThat(backend.tryAcquire(held, owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();

        lockAndReleaseDistinctKeys(backend, 20);
        String releasedLast = uniqueKey();
        String owner = owner();
        assertThat(backend.tryAcquire(releasedLast, owner, TestTimings.LONG_LEASE).isGranted()).isTrue();
        pause(TestTimings.SHORT_RETENTION.plus(interval.multipliedBy(2)));
        assertThat(backend.releaseIfOwner(releasedLast, owner)).isTrue();
        assertThat(rowsIn(options)).as("rows after a release that came when the clean-up was due: the held key and "
                + "the key just released, which is retained").isEqualTo(2);

        lockAndReleaseDistinctKeys(backend, 20);
        pause(TestTimings.SHORT_RETENTION.plus(interval.multipliedBy(2)));
        assertThat(backend.tryAcquire(uniqueKey(), owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
        assertThat(rowsIn(options)).as("rows after a grant that came when the clean-up was due").isEqualTo(2);
        assertThat(backend.tryAcquire(held, owner(), TestTimings.LONG_LEASE).isGranted()).as("the held key").isFalse();
    }

    @Test
    void aBacklogLargerThanOneCleanupIsDrainedByTheNextLockCallsWithoutWaitingAnotherInterval() {
        Duration interval = Duration.ofSeconds(2);
        int batchSize = 2;
        JdbcLockOptions options = shortRetention(database().createLockTable(), interval, batchSize);
        JdbcLeaseBackend backend = backend(pool(2), options);
        int backlog = JdbcLockOptions.MAX_CLEANUP_BATCHES * batchSize * 2 + 5;
        lockAndReleaseDistinctKeys(backend, backlog);
        pause(interval.plusMillis(500));
        // The first grant's clean-up deletes one clean-up's worth; the next two grants go on at once.
        for (int i = 0; i < 3; i++) {
            assertThat(backend.tryAcquire(uniqueKey(), owner(), TestTimings.LONG_LEASE).isGranted()).isTrue();
        }
        assertThat(rowsIn(options)).as("rows left: the three held keys").isEqualTo(3);
    }

    /** Options whose clean-up deletes a row soon after its lock ended: the shortest retention they accept. */
    static JdbcLockOptions shortRetention(JdbcLockOptions options, Duration interval, int batchSize) {
        return options.withQueryTimeout(TestTimings.SHORT_QUERY_TIMEOUT)
            .withCleanup(TestTimings.SHORT_RETENTION, interval, batchSize);
    }

    private static void lockAndReleaseDistinctKeys(JdbcLeaseBackend backend, int count) {
        for (int i = 0; i < count; i++) {
            String key = uniqueKey();
            String owner = owner();
            assertThat(backend.tryAcquire(key, owner, TestTimings.LONG_LEASE).isGranted()).isTrue();
            assertThat(backend.releaseIfOwner(key, owner)).isTrue();
        }
    }

    static void pause(Duration duration) {
        await().pollDelay(duration).atMost(duration.plus(TestTimings.EVENTUALLY)).until(() -> true);
    }

    @Test
    void fencedUpdateRejectsTheWriteOfAHolderThatPausedPastItsLease() throws Exception {
        JdbcLockOptions options = database().createLockTable();
        String orders = TestDatabase.randomTableName();
        database().execute("CREATE TABLE " + orders + " (id INT PRIMARY KEY, status VARCHAR(20), fencing_token BIGINT)",
                "INSERT INTO " + orders + " (id, status) VALUES (1, 'NEW')");
        DataSource pool = pool(2);
        JdbcLeaseBackend backend = backend(pool, options);
        String key = uniqueKey();
        OptionalLong staleToken = backend.tryAcquire(key, owner(), TestTimings.SHORT_LEASE).fencingToken();
        AcquireResult next = await().atMost(TestTimings.EVENTUALLY).pollInterval(TestTimings.POLL_INTERVAL)
            .until(() -> backend.tryAcquire(key, owner(), TestTimings.LONG_LEASE), AcquireResult::isGranted);
        long currentToken = next.fencingToken().orElseThrow();
        FencedUpdate charge = FencedUpdate.of(orders, "fencing_token", "status = ?", "id = ?");
        try (Connection connection = pool.getConnection()) {
            assertThat(charge.execute(connection, currentToken, "CHARGED", 1)).as("the current holder's write").isTrue();
            assertThat(charge.execute(connection, staleToken.orElseThrow(), "STALE", 1)).as("the stale holder's write")
                .isFalse();
            assertThat(charge.execute(connection, currentToken, "SHIPPED", 1)).as("the current holder's second write")
                .isTrue();
        }
        assertThat(database().queryLong("SELECT fencing_token FROM " + orders + " WHERE id = 1")).isEqualTo(currentToken);
        assertThat(database().queryLong("SELECT COUNT(*) FROM " + orders + " WHERE status = 'SHIPPED'")).isEqualTo(1);
    }

    @Test
    void onlyPostgresQueuesWaitersAndOnlyWhileReleaseNotificationIsOn() {
        JdbcLockOptions options = database().createLockTable();
        boolean postgres = database().platform() == JdbcPlatform.POSTGRESQL;
        assertThat(backend(pool(1), options)).as("the backend's capabilities")
            .matches(backend -> backend instanceof QueueingLeaseBackend == postgres);
        assertThat(backend(pool(1), options.withReleaseNotification(false)))
            .isNotInstanceOf(QueueingLeaseBackend.class);
    }

    @Test
    void schemaCreationIsIdempotentAndHonoursTheConfiguredSchema() {
        String schema = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        database().createSchema(schema);
        JdbcLockOptions options = JdbcLockOptions.defaults().withTable(schema, "locks");
        assertThat(JdbcLockSchema.createIfMissing(database().admin(), options)).isEqualTo(database().platform());
        assertThat(JdbcLockSchema.createIfMissing(database().admin(), options)).isEqualTo(database().platform());
        JdbcLeaseBackend backend = backend(pool(2), options);
        String key = uniqueKey();
        String owner = owner();
        assertThat(backend.tryAcquire(key, owner, TestTimings.LONG_LEASE).isGranted()).isTrue();
        assertThat(backend.releaseIfOwner(key, owner)).isTrue();
        assertThat(database().queryLong("SELECT COUNT(*) FROM " + schema + ".locks")).isEqualTo(1);
        assertThat(backend.platform()).isEqualTo(database().platform());
    }

}
