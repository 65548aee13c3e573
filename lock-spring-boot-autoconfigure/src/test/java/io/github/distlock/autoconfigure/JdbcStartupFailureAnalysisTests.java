package io.github.distlock.autoconfigure;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.jdbc.JdbcLockSchema;
import io.github.distlock.jdbc.JdbcPlatform;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.MariaDbServer;
import io.github.distlock.testservers.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Start-ups of a Spring Boot application on the JDBC backend that fail, on real PostgreSQL and MariaDB servers:
 * each failure is reported by one of the project's failure analyzers (found through {@code spring.factories}, as
 * Spring Boot's {@code FailureAnalyzers} find them) with a description that says what is wrong, in which database,
 * for which table, and an action that says what to do. No output, no exception in the failure's chain and no
 * analysis ever shows the password, whether it is wrong, sent to an unreachable server or written into the URL.
 */
@ExtendWith(OutputCaptureExtension.class)
class JdbcStartupFailureAnalysisTests {

    private static final String SECRET = "Tr0ub4dor-3-horse";

    private static final String RIGHT_PASSWORD = "the-right-one";

    private static final String USER = "locker";

    private static String tableName() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Starts the application as {@code SpringApplication.run} does, and returns why it failed. */
    private static StartupFailure failedStartup(String... properties) {
        List<String> all = new ArrayList<>(List.of("distributed-lock.backend=jdbc", "spring.main.banner-mode=off"));
        all.addAll(List.of(properties));
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(LockApplication.class)
            .web(WebApplicationType.NONE)
            .properties(all.toArray(String[]::new))
            .run()
            .close());
        assertThat(failure).as("the start-up's failure").isNotNull();
        return new StartupFailure(failure, analysis(failure, all));
    }

    /** Analyzes the failure with the analyzers that spring.factories registers, the first that answers winning. */
    private static FailureAnalysis analysis(Throwable failure, List<String> properties) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String property : properties) {
            int equals = property.indexOf('=');
            values.put(property.substring(0, equals), property.substring(equals + 1));
        }
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", values));
        // The arguments Boot's FailureAnalyzers give to analyzers' constructors; like it, skip the analyzers of
        // libraries that are absent.
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class, ArgumentResolver.of(Environment.class, environment)
                .and(BeanFactory.class, new DefaultListableBeanFactory()), (type, name, unavailable) -> {
                });
        return analyzers.stream()
            .filter(analyzer -> analyzer.getClass().getPackageName().equals("io.github.distlock.autoconfigure"))
            .map(analyzer -> analyzer.analyze(failure))
            .filter(analysis -> analysis != null)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no distlock analyzer reported", failure));
    }

    private record StartupFailure(Throwable failure, FailureAnalysis analysis) {

        String description() {
            return this.analysis.getDescription();
        }

        String action() {
            return this.analysis.getAction();
        }

        /** Boot reported the same analysis, instead of a stack trace. */
        void wasReportedIn(CapturedOutput output) {
            assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("Description:\n\n" + description())
                .contains("Action:\n\n" + action())
                .doesNotContain("Application run failed");
        }

        void neverShows(String secret, CapturedOutput output) {
            assertThat(output.getAll()).as("everything printed").doesNotContain(secret);
            assertThat(description()).doesNotContain(secret);
            assertThat(action()).doesNotContain(secret);
            assertThat(everyMessageOf(this.failure)).as("the failure's whole chain")
                .allSatisfy(message -> assertThat(message).doesNotContain(secret));
        }

    }

    /** The message and description of every exception in the chain, causes and suppressed ones, and its trace. */
    private static List<String> everyMessageOf(Throwable failure) {
        List<String> messages = new ArrayList<>();
        collect(failure, messages, Collections.newSetFromMap(new IdentityHashMap<>()));
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
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

    private static void execute(String url, String user, String... statements) {
        try (Connection connection = DriverManager.getConnection(url, user, "");
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class LockApplication {

    }

    /** A data source of its own for the locks, named by distributed-lock.jdbc.data-source, with a wrong password. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class OwnLockDataSourceApplication {

        @Bean
        DataSource lockDataSource(Environment environment) {
            HikariDataSource dataSource = new HikariDataSource();
            dataSource.setJdbcUrl(environment.getRequiredProperty("locks.url"));
            dataSource.setUsername(USER);
            dataSource.setPassword(SECRET);
            return dataSource;
        }

    }

    @Nested
    class OnPostgres {

        private static PostgresServer server;

        @BeforeAll
        static void startServer() {
            server = PostgresServer.startRequiringPasswords();
            execute(server.jdbcUrl(), PostgresServer.SUPERUSER,
                    "CREATE ROLE " + USER + " LOGIN PASSWORD '" + RIGHT_PASSWORD + "'");
        }

        @AfterAll
        static void stopServer() {
            server.close();
        }

        private String[] asSuperuser(String table) {
            return new String[] { "spring.datasource.url=" + server.jdbcUrl(),
                    "spring.datasource.username=" + PostgresServer.SUPERUSER,
                    "distributed-lock.jdbc.table-name=" + table };
        }

        @Test
        void missingLockTableIsReportedWithTheSchemaScriptAndTheInitializeSchemaProperty(CapturedOutput output) {
            String table = tableName();
            StartupFailure startup = failedStartup(asSuperuser(table));
            assertThat(startup.description())
                .startsWith("The lock table " + table + " of the JDBC lock backend, or its sequence " + table
                        + "_token_seq, does not exist (or lacks a column) in PostgreSQL ")
                .contains(" at " + server.jdbcUrl() + " as user 'postgres'")
                .contains("The database said: ERROR: relation \"" + table + "\" does not exist");
            assertThat(startup.action()).contains("schema script io/github/distlock/jdbc/schema-postgresql.sql")
                .contains("distributed-lock.jdbc.initialize-schema=always");
            startup.wasReportedIn(output);
        }

        @Test
        void userWithoutRightsOnTheLockTableIsToldWhichRightsToGrant(CapturedOutput output) {
            String table = tableName();
            JdbcLockOptions options = JdbcLockOptions.defaults().withTable(null, table);
            execute(server.jdbcUrl(), PostgresServer.SUPERUSER,
                    JdbcLockSchema.statements(JdbcPlatform.POSTGRESQL, options).toArray(String[]::new));
            StartupFailure startup = failedStartup("spring.datasource.url=" + server.jdbcUrl(),
                    "spring.datasource.username=" + USER, "spring.datasource.password=" + RIGHT_PASSWORD,
                    "distributed-lock.jdbc.table-name=" + table);
            assertThat(startup.description())
                .startsWith("The database user of the JDBC lock backend lacks rights on the lock table " + table)
                .contains("as user '" + USER + "'")
                .contains("permission denied");
            assertThat(startup.action()).contains("SELECT, INSERT, UPDATE, DELETE ON " + table + " and USAGE ON "
                    + "SEQUENCE " + table + "_token_seq");
            startup.wasReportedIn(output);
            startup.neverShows(RIGHT_PASSWORD, output);
        }

        @Test
        void keyColumnTooShortForTheKeysIsReportedWithHowToWidenIt(CapturedOutput output) {
            String table = tableName();
            JdbcLockOptions options = JdbcLockOptions.defaults().withTable(null, table);
            execute(server.jdbcUrl(), PostgresServer.SUPERUSER, JdbcLockSchema.statements(JdbcPlatform.POSTGRESQL,
                    options).stream().map(ddl -> ddl.replace("VARCHAR(255)", "VARCHAR(40)")).toArray(String[]::new));
            StartupFailure startup = failedStartup(asSuperuser(table));
            assertThat(startup.description())
                .startsWith("Column lock_key of the lock table " + table + " cannot store keys of 255 characters "
                        + "unchanged in PostgreSQL");
            assertThat(startup.action()).contains("Widen column lock_key of " + table)
                .contains("io/github/distlock/jdbc/schema-postgresql.sql");
            startup.wasReportedIn(output);
        }

        @Test
        void refusedLoginIsReportedWithThePropertiesToFixAndNeverThePassword(CapturedOutput output) {
            StartupFailure startup = failedStartup("spring.datasource.url=" + server.jdbcUrl(),
                    "spring.datasource.username=" + USER, "spring.datasource.password=" + SECRET);
            assertThat(startup.description())
                .startsWith("The database refused the login of the JDBC lock backend through spring.datasource.url="
                        + server.jdbcUrl() + " as user '" + USER + "'")
                .contains("The database said: FATAL: password authentication failed for user \"" + USER + "\"");
            assertThat(startup.action()).startsWith("Set spring.datasource.username and spring.datasource.password");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

        @Test
        void unreachableDatabaseIsReportedWithTheUrlPropertyAndNeverThePassword(CapturedOutput output) {
            String url = "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres";
            StartupFailure startup = failedStartup("spring.datasource.url=" + url,
                    "spring.datasource.username=" + USER, "spring.datasource.password=" + SECRET);
            assertThat(startup.description())
                .startsWith("The JDBC lock backend could not connect to its database through spring.datasource.url="
                        + url)
                .contains("refused");
            assertThat(startup.action()).contains("spring.datasource.url names its host, port and database");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

        @Test
        void passwordAsAParameterOfTheUrlIsNeverShown(CapturedOutput output) {
            StartupFailure startup = failedStartup(
                    "spring.datasource.url=" + server.jdbcUrl() + "?user=" + USER + "&password=" + SECRET);
            assertThat(startup.description()).startsWith("The database refused the login")
                .contains("spring.datasource.url=" + server.jdbcUrl() + "?user=" + USER + "&password=******");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

        @Test
        void passwordAsUserInformationOfTheUrlIsNeverShown(CapturedOutput output) {
            StartupFailure startup = failedStartup("spring.datasource.url=jdbc:postgresql://" + USER + ":" + SECRET
                    + "@127.0.0.1:" + server.port() + "/postgres");
            assertThat(startup.description()).startsWith("The JDBC lock backend could not connect")
                .contains("spring.datasource.url=jdbc:postgresql://******@127.0.0.1:" + server.port())
                .contains("java.net.UnknownHostException (password masked): ******@127.0.0.1");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

        @Test
        void dataSourceNamedByThePropertyIsTheOneReported(CapturedOutput output) {
            Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(OwnLockDataSourceApplication.class)
                .web(WebApplicationType.NONE)
                .properties("distributed-lock.backend=jdbc", "spring.main.banner-mode=off",
                        "distributed-lock.jdbc.data-source=lockDataSource", "locks.url=" + server.jdbcUrl())
                .run()
                .close());
            StartupFailure startup = new StartupFailure(failure, analysis(failure,
                    List.of("distributed-lock.jdbc.data-source=lockDataSource")));
            assertThat(startup.description()).contains("through the DataSource bean 'lockDataSource' "
                    + "(distributed-lock.jdbc.data-source)");
            assertThat(startup.action())
                .startsWith("Set the user name and password of the DataSource bean 'lockDataSource'");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

    }

    @Nested
    class OnMariaDb {

        private static final String DATABASE = "shop";

        private static MariaDbServer server;

        @BeforeAll
        static void startServer() {
            server = MariaDbServer.start();
            execute(server.jdbcUrl(""), MariaDbServer.ROOT_USER, "CREATE DATABASE " + DATABASE,
                    "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + RIGHT_PASSWORD + "'",
                    "GRANT SELECT ON " + DATABASE + ".* TO '" + USER + "'@'%'");
        }

        @AfterAll
        static void stopServer() {
            server.close();
        }

        @Test
        void missingLockTableIsReportedWithTheSchemaScriptAndTheInitializeSchemaProperty(CapturedOutput output) {
            String table = tableName();
            StartupFailure startup = failedStartup("spring.datasource.url=" + server.jdbcUrl(DATABASE),
                    "spring.datasource.username=" + MariaDbServer.ROOT_USER,
                    "distributed-lock.jdbc.table-name=" + table);
            assertThat(startup.description()).startsWith("The lock table " + table + " of the JDBC lock backend")
                .contains("does not exist (or lacks a column) in MariaDB")
                .contains(" at " + server.jdbcUrl(DATABASE) + " as user 'root'");
            assertThat(startup.action()).contains("schema script io/github/distlock/jdbc/schema-mariadb.sql")
                .contains("distributed-lock.jdbc.initialize-schema=always");
            startup.wasReportedIn(output);
        }

        @Test
        void userWithoutRightsOnTheLockTableIsToldWhichRightsToGrant(CapturedOutput output) {
            String table = tableName();
            JdbcLockOptions options = JdbcLockOptions.defaults().withTable(null, table);
            execute(server.jdbcUrl(DATABASE), MariaDbServer.ROOT_USER,
                    JdbcLockSchema.statements(JdbcPlatform.MARIADB, options).toArray(String[]::new));
            StartupFailure startup = failedStartup("spring.datasource.url=" + server.jdbcUrl(DATABASE),
                    "spring.datasource.username=" + USER, "spring.datasource.password=" + RIGHT_PASSWORD,
                    "distributed-lock.jdbc.table-name=" + table);
            assertThat(startup.description()).startsWith("The database user of the JDBC lock backend lacks rights");
            assertThat(startup.action()).contains("SELECT, INSERT, UPDATE, DELETE ON " + table + " and SELECT, INSERT "
                    + "ON " + table + "_token_seq");
            startup.wasReportedIn(output);
            startup.neverShows(RIGHT_PASSWORD, output);
        }

        @Test
        void refusedLoginIsReportedWithThePropertiesToFixAndNeverThePassword(CapturedOutput output) {
            StartupFailure startup = failedStartup("spring.datasource.url=" + server.jdbcUrl(DATABASE),
                    "spring.datasource.username=" + USER, "spring.datasource.password=" + SECRET);
            assertThat(startup.description()).startsWith("The database refused the login of the JDBC lock backend")
                .contains("Access denied for user '" + USER + "'");
            assertThat(startup.action()).startsWith("Set spring.datasource.username and spring.datasource.password");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

        @Test
        void unreachableDatabaseIsReportedWithTheUrlPropertyAndNeverThePassword(CapturedOutput output) {
            String url = "jdbc:mariadb://127.0.0.1:" + FreePorts.next() + "/" + DATABASE;
            StartupFailure startup = failedStartup("spring.datasource.url=" + url,
                    "spring.datasource.username=" + USER, "spring.datasource.password=" + SECRET);
            assertThat(startup.description())
                .startsWith("The JDBC lock backend could not connect to its database through spring.datasource.url="
                        + url);
            assertThat(startup.action()).contains("spring.datasource.url names its host, port and database");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

        @Test
        void passwordAsAParameterOfTheUrlIsNeverShown(CapturedOutput output) {
            StartupFailure startup = failedStartup("spring.datasource.url=" + server.jdbcUrl(DATABASE) + "?user="
                    + USER + "&password=" + SECRET);
            assertThat(startup.description()).startsWith("The database refused the login");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

        @Test
        void passwordAsUserInformationOfTheUrlIsNeverShown(CapturedOutput output) {
            StartupFailure startup = failedStartup("spring.datasource.url=jdbc:mariadb://" + USER + ":" + SECRET
                    + "@127.0.0.1:" + server.port() + "/" + DATABASE);
            assertThat(startup.description()).startsWith("The JDBC lock backend could not connect")
                .contains("Incorrect port value : ******@127.0.0.1");
            startup.wasReportedIn(output);
            startup.neverShows(SECRET, output);
        }

    }

}
