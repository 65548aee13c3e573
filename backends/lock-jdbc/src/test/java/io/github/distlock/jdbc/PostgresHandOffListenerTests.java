package io.github.distlock.jdbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.distlock.core.spi.ReleaseSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release listener's lifetime on a real PostgreSQL server, with idle graces chosen by the test: a waiter who
 * comes back within the grace finds the listener still there, and a waiter who registers while the listener is
 * stopping is heard all the same.
 */
class PostgresHandOffListenerTests {

    private static final int ROUNDS = 40;

    /** The longest gap between two registrations: longer than the listener's poll of 250 ms. */
    private static final long MAX_GAP_MILLIS = 350;

    private static TestDatabase.Postgres database;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startDatabase() {
        database = TestDatabase.postgres();
    }

    @AfterAll
    static void stopDatabase() {
        database.close();
    }

    @AfterEach
    void closeResources() throws Exception {
        for (int i = this.closeAfter.size() - 1; i >= 0; i--) {
            this.closeAfter.get(i).close();
        }
        this.closeAfter.clear();
    }

    private PostgresHandOffListener listener(String channel, Duration idleGrace) {
        DataSource pool = database.pool("listener-" + channel, 3);
        this.closeAfter.add((AutoCloseable) pool);
        PostgresHandOffListener listener = new PostgresHandOffListener(pool, channel, idleGrace);
        this.closeAfter.add(listener);
        return listener;
    }

    private static String randomChannel() {
        return "distlock_" + TestDatabase.randomTableName();
    }

    private static void announce(String channel, String key) {
        database.execute("SELECT pg_notify('" + channel + "', '" + key + "')");
    }

    private static long listeningConnections() {
        return database.queryLong("SELECT COUNT(*) FROM pg_stat_activity "
                + "WHERE application_name = 'distlock release listener'");
    }

    @Test
    void waiterComingBackWithinTheGraceFindsTheSameListener() throws Exception {
        String channel = randomChannel();
        PostgresHandOffListener listener = listener(channel, TestTimings.EVENTUALLY);
        long before = listeningConnections();
        for (int round = 0; round < 3; round++) {
            CountDownLatch heard = new CountDownLatch(1);
            ReleaseSubscription subscription = listener.register("key", heard::countDown);
            announce(channel, "key");
            assertThat(heard.await(TestTimings.PROMPT.toMillis(), TimeUnit.MILLISECONDS)).as("round %s", round)
                .isTrue();
            subscription.close();
            subscription.close();
            assertThat(listener.isListening()).as("the listener between two waiters").isTrue();
            assertThat(listeningConnections() - before).as("listening connections").isEqualTo(1);
        }
    }

    @Test
    void everyWaiterRegisteredWhileTheListenerStopsIsStillHeard() throws Exception {
        String channel = randomChannel();
        // No grace: the listener stops at its first look after the last waiter left, and the random gaps make the
        // next registration land before, while and after it stops.
        PostgresHandOffListener listener = listener(channel, Duration.ZERO);
        assertThat(registerAnnounceAndLeave(listener, channel, "key"))
            .as("registrations that heard the release announced after they registered").isEqualTo(ROUNDS);
    }

    private static int registerAnnounceAndLeave(PostgresHandOffListener listener, String channel, String key)
            throws InterruptedException {
        int heard = 0;
        for (int round = 0; round < ROUNDS; round++) {
            CountDownLatch released = new CountDownLatch(1);
            ReleaseSubscription subscription = listener.register(key, released::countDown);
            try {
                announce(channel, key);
                if (released.await(TestTimings.PROMPT.toMillis(), TimeUnit.MILLISECONDS)) {
                    heard++;
                }
            }
            finally {
                subscription.close();
            }
            JdbcBackendBehaviour.pause(Duration.ofMillis(ThreadLocalRandom.current().nextLong(MAX_GAP_MILLIS)));
        }
        return heard;
    }

}
