package io.github.distlock.jdbc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.MariaDbServer;
import io.github.distlock.testservers.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Start-up against real PostgreSQL and MariaDB servers with a password that must never be shown: wrong, given to an
 * unreachable server, or written into the JDBC URL (as a parameter, or as {@code user:password@} before the host,
 * which the drivers then echo in their own errors). Every message of the failure's whole chain, suppressed
 * exceptions included, and every log line must be free of it.
 *
 * <p>Pools are made like Spring Boot makes them: the first connection is asked for by the backend, not by the pool.
 */
class PasswordsNeverInMessagesTests {

    private static final String SECRET = "Tr0ub4dor-3-horse";

    private static final String USER = "locker";

    /** The ways a password reaches the pool, and why the start-up then fails. */
    enum Credentials {

        WRONG_PASSWORD(LockTableException.Reason.CREDENTIALS_REJECTED),

        UNREACHABLE_SERVER(LockTableException.Reason.NO_CONNECTION),

        PASSWORD_URL_PARAMETER(LockTableException.Reason.CREDENTIALS_REJECTED),

        // Neither driver takes user information before the host: it reads it as part of the host or port.
        USER_INFO_IN_URL(LockTableException.Reason.NO_CONNECTION),

        USER_INFO_IN_URL_UNREACHABLE(LockTableException.Reason.NO_CONNECTION);

        private final LockTableException.Reason reason;

        Credentials(LockTableException.Reason reason) {
            this.reason = reason;
        }

    }

    /** The start-up calls that take a connection first. */
    enum StartupCall {

        CREATE_BACKEND(JdbcLeaseBackend::create),

        DETECT_PLATFORM(JdbcPlatform::detect),

        CREATE_SCHEMA(dataSource -> JdbcLockSchema.createIfMissing(dataSource, JdbcLockOptions.defaults()));

        private final Consumer<DataSource> call;

        StartupCall(Consumer<DataSource> call) {
            this.call = call;
        }

    }

    private final List<HikariDataSource> pools = new ArrayList<>();

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    private final Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    private final Logger ourLogger = (Logger) LoggerFactory.getLogger("io.github.distlock");

    private Level ourLevel;

    @BeforeEach
    void captureEveryLogLine() {
        this.ourLevel = this.ourLogger.getLevel();
        this.ourLogger.setLevel(Level.DEBUG);
        this.log.start();
        this.rootLogger.addAppender(this.log);
    }

    @AfterEach
    void stopCapturing() {
        this.rootLogger.detachAppender(this.log);
        this.ourLogger.setLevel(this.ourLevel);
        this.pools.forEach(HikariDataSource::close);
        this.pools.clear();
    }

    private DataSource lazyPool(String url, String user, String password) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        if (user != null) {
            pool.setUsername(user);
        }
        if (password != null) {
            pool.setPassword(password);
        }
        pool.setConnectionTimeout(TestTimings.POOL_TIMEOUT.multipliedBy(4).toMillis());
        this.pools.add(pool);
        return pool;
    }

    private void assertSecretNeverShown(StartupCall call, DataSource pool, Credentials credentials) {
        Throwable failure = catchThrowable(() -> call.call.accept(pool));
        assertThat(failure).as("the start-up failure").isInstanceOf(LockTableException.class);
        assertThat(((LockTableException) failure).reason()).as("the reason of the failure of %s", call)
            .isEqualTo(credentials.reason);
        assertThat(everyMessageOf(failure)).as("the failure's whole chain").isNotEmpty()
            .allSatisfy(message -> assertThat(message).doesNotContain(SECRET));
        assertThat(this.log.list).allSatisfy(event -> {
            assertThat(event.getFormattedMessage()).doesNotContain(SECRET);
            if (event.getThrowableProxy() != null) {
                assertThat(ThrowableProxyUtil.asString(event.getThrowableProxy())).doesNotContain(SECRET);
            }
        });
    }

    /** The message and description of every exception in the chain, causes and suppressed ones, and its trace. */
    static List<String> everyMessageOf(Throwable failure) {
        List<String> messages = new ArrayList<>();
        collect(failure, messages, Collections.newSetFromMap(new IdentityHashMap<>()));
        java.io.StringWriter trace = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(trace));
        messages.add(trace.toString());
        return messages;
    }

    private static void collect(Throwable failure, List<String> messages, Set<Throwable> seen) {
        if (failure == null || !seen.add(failure)) {
            return;
        }
        messages.add(String.valueOf(failure.getMessage()));
        messages.add(failure.toString());
        for (Throwable suppressed : failure.getSuppressed()) {
            collect(suppressed, messages, seen);
        }
        collect(failure.getCause(), messages, seen);
    }

    @Nested
    class OnPostgres {

        private static PostgresServer server;

        @BeforeAll
        static void startServer() {
            server = PostgresServer.startRequiringPasswords();
            try (var admin = new HikariDataSource()) {
                admin.setJdbcUrl(server.jdbcUrl());
                admin.setUsername(PostgresServer.SUPERUSER);
                try (var connection = admin.getConnection(); var statement = connection.createStatement()) {
                    statement.execute("CREATE ROLE " + USER + " LOGIN PASSWORD 'the-right-one'");
                }
            }
            catch (java.sql.SQLException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @AfterAll
        static void stopServer() {
            server.close();
        }

        @ParameterizedTest
        @EnumSource(Credentials.class)
        void failedStartupTellsWhyAndNoMessageOrLogLineShowsThePassword(Credentials credentials) {
            int unreachable = FreePorts.next();
            DataSource pool = switch (credentials) {
                case WRONG_PASSWORD -> lazyPool(server.jdbcUrl(), USER, SECRET);
                case UNREACHABLE_SERVER -> lazyPool("jdbc:postgresql://127.0.0.1:" + unreachable + "/postgres", USER,
                        SECRET);
                case PASSWORD_URL_PARAMETER -> lazyPool(server.jdbcUrl() + "?user=" + USER + "&password=" + SECRET,
                        null, null);
                case USER_INFO_IN_URL -> lazyPool("jdbc:postgresql://" + USER + ":" + SECRET + "@127.0.0.1:"
                        + server.port() + "/postgres", null, null);
                case USER_INFO_IN_URL_UNREACHABLE -> lazyPool("jdbc:postgresql://" + USER + ":" + SECRET
                        + "@127.0.0.1:" + unreachable + "/postgres", null, null);
            };
            for (StartupCall call : StartupCall.values()) {
                assertSecretNeverShown(call, pool, credentials);
            }
        }

    }

    @Nested
    class OnMariaDb {

        private static MariaDbServer server;

        @BeforeAll
        static void startServer() {
            server = MariaDbServer.start();
            try (var connection = java.sql.DriverManager.getConnection(server.jdbcUrl(""), MariaDbServer.ROOT_USER,
                    ""); var statement = connection.createStatement()) {
                statement.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY 'the-right-one'");
            }
            catch (java.sql.SQLException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @AfterAll
        static void stopServer() {
            server.close();
        }

        @ParameterizedTest
        @EnumSource(Credentials.class)
        void failedStartupTellsWhyAndNoMessageOrLogLineShowsThePassword(Credentials credentials) {
            int unreachable = FreePorts.next();
            DataSource pool = switch (credentials) {
                case WRONG_PASSWORD -> lazyPool(server.jdbcUrl(""), USER, SECRET);
                case UNREACHABLE_SERVER -> lazyPool("jdbc:mariadb://127.0.0.1:" + unreachable + "/", USER, SECRET);
                case PASSWORD_URL_PARAMETER -> lazyPool(server.jdbcUrl("") + "?user=" + USER + "&password=" + SECRET,
                        null, null);
                case USER_INFO_IN_URL -> lazyPool("jdbc:mariadb://" + USER + ":" + SECRET + "@127.0.0.1:"
                        + server.port() + "/", null, null);
                case USER_INFO_IN_URL_UNREACHABLE -> lazyPool("jdbc:mariadb://" + USER + ":" + SECRET
                        + "@127.0.0.1:" + unreachable + "/", null, null);
            };
            for (StartupCall call : StartupCall.values()) {
                assertSecretNeverShown(call, pool, credentials);
            }
        }

    }

}
