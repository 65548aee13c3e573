package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;
import static org.awaitility.Awaitility.await;

/**
 * How much a release costs PostgreSQL and whom it wakes, on a real server, with every node (a backend and engine
 * over a pool of its own) counted: the connections it takes (one per lock statement, one when its listener
 * starts) and the notifications a test connection hears on every channel a node could be told on.
 */
class PostgresHandOffTests {

    private static TestDatabase.Postgres database;

    private static JdbcLockOptions options;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    private final List<NotifyingJdbcLeaseBackend> backends = new ArrayList<>();

    @BeforeAll
    static void startDatabase() {
        database = TestDatabase.postgres();
        options = database.createLockTable();
    }

    @AfterAll
    static void stopDatabase() {
        database.close();
    }

    @AfterEach
    void closeNodes() throws Exception {
        for (int i = this.closeAfter.size() - 1; i >= 0; i--) {
            this.closeAfter.get(i).close();
        }
        this.closeAfter.clear();
        this.backends.clear();
    }

    /** One application instance: its own pool, backend and engine. */
    private record Node(LockEngine engine, CountingDataSource connections) {
    }

    private Node node() {
        CountingDataSource connections = new CountingDataSource(database.pool("node", 4));
        NotifyingJdbcLeaseBackend backend = (NotifyingJdbcLeaseBackend) JdbcLeaseBackend.create(connections, options);
        LockEngine engine = new LockEngine(backend);
        this.closeAfter.add(backend);
        this.closeAfter.add(engine);
        this.backends.add(backend);
        return new Node(engine, connections);
    }

    private static String uniqueKey() {
        return "hand-off-" + TestDatabase.randomTableName();
    }

    private static int waiters(String key) {
        return (int) database.queryLong("SELECT COALESCE(cardinality(waiters), 0) FROM "
                + options.qualifiedTableName() + " WHERE lock_key = '" + key + "'");
    }

    @Test
    void aReleaseWithNobodyWaitingNotifiesNoNodeHoweverManyNodesHaveWaitedBefore() throws Exception {
        Node worker = node();
        // Sixteen other application instances, each of which has waited once.
        for (int i = 0; i < 16; i++) {
            Node other = node();
            String key = uniqueKey();
            Lease held = worker.engine().tryAcquire(LockRequest.of(key, Duration.ofSeconds(30))).orElseThrow();
            ExecutorService waiting = Executors.newSingleThreadExecutor();
            try {
                Future<Lease> waiter = waiting.submit(() -> other.engine()
                    .acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(Duration.ofSeconds(15))));
                await().atMost(TestTimings.EVENTUALLY).until(() -> waiters(key) == 1);
                held.release();
                waiter.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS).release();
            }
            finally {
                waiting.shutdownNow();
            }
        }
        try (Listening everyChannel = new Listening()) {
            everyChannel.listenFromNow(this.backends);
            int before = worker.connections().taken();
            for (int i = 0; i < 200; i++) {
                worker.engine().tryAcquire(LockRequest.of("uncontended-" + i, Duration.ofSeconds(30))).orElseThrow()
                    .release();
            }
            for (int i = 0; i < 200; i++) {
                worker.engine().acquire(LockRequest.of("uncontended-waiting-" + i, Duration.ofSeconds(30))
                    .withWaitTime(Duration.ofSeconds(5))).release();
            }
            assertThat(everyChannel.heard(TestTimings.WAITER_SETTLES))
                .as("notifications sent by 400 releases nobody waited for").isEmpty();
            // One statement each, and one connection more when the first waiting acquire starts the listener.
            assertThat(worker.connections().taken() - before).as("connections taken by 400 acquires and releases")
                .isBetween(800, 801);
        }
    }

    @Test
    void aReleaseOfAKeyThatEightNodesWaitForWakesOnlyTheNodeItHandsTheKeyToInArrivalOrder() throws Exception {
        Node holder = node();
        String key = uniqueKey();
        Lease held = holder.engine().tryAcquire(LockRequest.of(key, Duration.ofSeconds(30))).orElseThrow();
        List<Integer> grantOrder = new CopyOnWriteArrayList<>();
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Node> nodes = new ArrayList<>();
        try (Listening everyChannel = new Listening()) {
            List<Future<?>> waiting = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int number = i;
                Node node = node();
                nodes.add(node);
                waiting.add(threads.submit(() -> {
                    Lease lease = node.engine().acquire(LockRequest.of(key, Duration.ofSeconds(30))
                        .withWaitTime(Duration.ofSeconds(60)));
                    grantOrder.add(number);
                    finish.await();
                    lease.release();
                    return null;
                }));
                await().atMost(TestTimings.EVENTUALLY).until(() -> waiters(key) == number + 1);
            }
            everyChannel.listenFromNow(this.backends);
            int[] before = nodes.stream().mapToInt(node -> node.connections().taken()).toArray();
            held.release();
            await().atMost(TestTimings.EVENTUALLY).until(() -> !grantOrder.isEmpty());
            assertThat(grantOrder).as("the node the first release handed the key to").containsExactly(0);
            int attempts = 0;
            for (int i = 0; i < nodes.size(); i++) {
                attempts += nodes.get(i).connections().taken() - before[i];
            }
            // The first waiter's claim; a spurious wake-up may add one attempt. Waking every waiter would cost an
            // attempt per node.
            assertThat(attempts).as("attempts of 8 waiting nodes after one release").isBetween(1, 2);
            assertThat(everyChannel.heard(TestTimings.WAITER_SETTLES)).as("notifications sent by the hand-off")
                .hasSize(1);
            finish.countDown();
            for (Future<?> waiter : waiting) {
                waiter.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
            }
            assertThat(grantOrder).as("order in which the waiting nodes got the key").containsExactly(0, 1, 2, 3, 4,
                    5, 6, 7);
            assertThat(waiters(key)).isZero();
        }
        finally {
            finish.countDown();
            threads.shutdownNow();
        }
    }

    @Test
    void aWaiterThatGivesUpLeavesTheQueueSoTheNextOneGetsTheKeyAtOnce() throws Exception {
        Node holder = node();
        Node impatient = node();
        Node patient = node();
        String key = uniqueKey();
        Lease held = holder.engine().tryAcquire(LockRequest.of(key, Duration.ofSeconds(30))).orElseThrow();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Lease> givesUp = threads.submit(() -> impatient.engine()
                .acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(Duration.ofMillis(500))));
            await().atMost(TestTimings.EVENTUALLY).until(() -> waiters(key) == 1);
            Future<Lease> waits = threads.submit(() -> patient.engine()
                .acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(Duration.ofSeconds(60))));
            await().atMost(TestTimings.EVENTUALLY).until(() -> waiters(key) == 2);
            assertThatThrownBy(() -> givesUp.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(LockNotAcquiredException.class);
            await().atMost(TestTimings.EVENTUALLY).until(() -> waiters(key) == 1);
            held.release();
            // Without leaving, the key would go to the waiter that gave up and sit unclaimed for the claim time.
            waits.get(NotifyingJdbcLeaseBackend.HAND_OFF_CLAIM_TIME.toMillis() / 2, TimeUnit.MILLISECONDS).release();
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aTableCreatedByVersion01IsRefusedWithTheUpgradeStepAndWorksOnceTheScriptRunsAgain() {
        JdbcLockOptions old = JdbcLockOptions.defaults().withTable(null, TestDatabase.randomTableName());
        // The table as the 0.1 script created it, without the queue's columns.
        database.execute("CREATE TABLE " + old.qualifiedTableName() + " (lock_key VARCHAR(255) COLLATE \"C\" NOT NULL "
                + "PRIMARY KEY, owner_token VARCHAR(128) NOT NULL, fencing_token BIGINT NOT NULL, "
                + "expires_at TIMESTAMP(6) WITH TIME ZONE NOT NULL)",
                "CREATE SEQUENCE " + old.qualifiedSequenceName() + " CACHE 1");
        CountingDataSource connections = new CountingDataSource(database.pool("upgrade", 2));
        assertThatThrownBy(() -> JdbcLeaseBackend.create(connections, old)).isInstanceOf(LockTableException.class)
            .hasMessageContaining("may lack the queue's columns owner_node and waiters (added in 0.1) or the shared "
                    + "leases' column readers, which running the script again adds");
        JdbcLockSchema.createIfMissing(database.admin(), old);
        try (JdbcLeaseBackend upgraded = JdbcLeaseBackend.create(connections, old)) {
            assertThat(upgraded).isInstanceOf(NotifyingJdbcLeaseBackend.class);
            assertThat(upgraded.tryAcquire(uniqueKey(), "upgraded-owner", Duration.ofSeconds(5)).isGranted()).isTrue();
        }
    }

    @Test
    void theLastReadersReleaseHandsTheKeyToTheWaitingWriterAndWakesOnlyItsNode() throws Exception {
        Node reading = node();
        Node writing = node();
        String writerChannel = this.backends.get(1).nodeChannel();
        String key = uniqueKey();
        LockRequest read = LockRequest.of(key, Duration.ofSeconds(30)).withMode(LockMode.READ).withReentrant(false);
        Lease first = reading.engine().tryAcquire(read).orElseThrow();
        Lease second = reading.engine().tryAcquire(read).orElseThrow();
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try (Listening everyChannel = new Listening()) {
            everyChannel.listenFromNow(this.backends);
            Future<Lease> writer = threads.submit(() -> writing.engine()
                .acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(Duration.ofSeconds(60))));
            await().atMost(TestTimings.EVENTUALLY).until(() -> waiters(key) == 1);
            assertThat(reading.engine().tryAcquire(read)).as("a new reader's attempt while a writer waits").isEmpty();
            first.release();
            assertThat(everyChannel.heard(TestTimings.WAITER_SETTLES))
                .as("notifications sent by a release that leaves a reader holding").isEmpty();
            assertThat(writer).as("the writer while a reader still holds").isNotDone();
            second.release();
            // Far sooner than the 30 s the writer was told to wait for without an announcement.
            writer.get(TestTimings.PROMPT.toMillis(), TimeUnit.MILLISECONDS).release();
            assertThat(everyChannel.heard(TestTimings.WAITER_SETTLES))
                .as("notifications sent by the last reader's release").singleElement(as(STRING))
                .startsWith(writerChannel + ": " + key + "\n");
            assertThat(waiters(key)).isZero();
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aTableWithTheQueueButWithoutTheReadersColumnIsRefusedAndWorksOnceTheScriptRunsAgain() {
        JdbcLockOptions old = JdbcLockOptions.defaults().withTable(null, TestDatabase.randomTableName());
        // The table as the script created it before shared leases.
        database.execute("CREATE TABLE " + old.qualifiedTableName() + " (lock_key VARCHAR(255) COLLATE \"C\" NOT NULL "
                + "PRIMARY KEY, owner_token VARCHAR(128) NOT NULL, fencing_token BIGINT NOT NULL, "
                + "expires_at TIMESTAMP(6) WITH TIME ZONE NOT NULL, owner_node VARCHAR(32), waiters TEXT[])",
                "CREATE SEQUENCE " + old.qualifiedSequenceName() + " CACHE 1");
        CountingDataSource connections = new CountingDataSource(database.pool("upgrade", 2));
        assertThatThrownBy(() -> JdbcLeaseBackend.create(connections, old)).isInstanceOf(LockTableException.class)
            .hasMessageContaining("the shared leases' column readers, which running the script again adds");
        // Without release notification the backend grants shared leases too, and needs the column as well.
        JdbcLockOptions withoutNotification = old.withReleaseNotification(false);
        assertThatThrownBy(() -> JdbcLeaseBackend.create(connections, withoutNotification))
            .isInstanceOf(LockTableException.class)
            .hasMessageContaining("the shared leases' column readers, which running the script again adds");
        JdbcLockSchema.createIfMissing(database.admin(), old);
        try (JdbcLeaseBackend upgraded = JdbcLeaseBackend.create(connections, old);
                JdbcLeaseBackend polling = JdbcLeaseBackend.create(connections, withoutNotification)) {
            assertThat(upgraded).isInstanceOf(NotifyingJdbcLeaseBackend.class);
            assertThat(((NotifyingJdbcLeaseBackend) upgraded).tryAcquireShared(uniqueKey(), "upgraded-reader",
                    Duration.ofSeconds(5)).isGranted()).isTrue();
            assertThat(((SharingJdbcLeaseBackend) polling).tryAcquireShared(uniqueKey(), "polling-reader",
                    Duration.ofSeconds(5)).isGranted()).isTrue();
        }
    }

    /** A connection of the test's own that listens on the channels of the given nodes and collects what it hears. */
    private static final class Listening implements AutoCloseable {

        private final Connection connection;

        Listening() throws SQLException {
            this.connection = database.admin().getConnection();
            this.connection.setAutoCommit(true);
        }

        private void listen(List<NotifyingJdbcLeaseBackend> nodes) throws SQLException {
            try (Statement statement = this.connection.createStatement()) {
                for (NotifyingJdbcLeaseBackend node : nodes) {
                    statement.execute("LISTEN " + node.nodeChannel());
                }
            }
        }

        /**
         * Starts listening on the nodes' channels and forgets what arrives at once: a new {@code LISTEN} may also be
         * handed notifications committed before it, which no listener had read yet.
         */
        void listenFromNow(List<NotifyingJdbcLeaseBackend> nodes) throws SQLException {
            listen(nodes);
            heard(TestTimings.WAITER_SETTLES);
        }

        /** Everything heard until nothing more arrives for the given quiet time. */
        List<String> heard(Duration quiet) throws SQLException {
            List<String> payloads = new ArrayList<>();
            PGConnection listening = this.connection.unwrap(PGConnection.class);
            while (true) {
                PGNotification[] notifications = listening.getNotifications((int) quiet.toMillis());
                if (notifications == null || notifications.length == 0) {
                    return payloads;
                }
                for (PGNotification notification : notifications) {
                    payloads.add(notification.getName() + ": " + notification.getParameter());
                }
            }
        }

        @Override
        public void close() throws SQLException {
            try (Statement statement = this.connection.createStatement()) {
                statement.execute("UNLISTEN *");
            }
            this.connection.close();
        }

    }

}
