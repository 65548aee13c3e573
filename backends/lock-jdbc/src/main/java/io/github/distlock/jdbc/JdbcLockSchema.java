package io.github.distlock.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import javax.sql.DataSource;

/**
 * The lock table's schema: renders a platform's script ({@link JdbcPlatform#schemaResource()}) for the configured
 * names, and creates the table, its sequence and its index where they are missing.
 *
 * <p>Creating the schema is for development, tests and embedded databases; production schemas usually come from
 * the application's migration tool, with the same script. Every statement is {@code CREATE ... IF NOT EXISTS}, so
 * running it against an existing schema changes nothing. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class JdbcLockSchema {

    /** PostgreSQL's duplicate_table and duplicate_object. */
    private static final Set<String> DUPLICATE_OBJECT_STATES = Set.of("42P07", "42710");

    private JdbcLockSchema() {
    }

    /**
     * Returns the statements of the platform's script with the placeholders replaced by the configured names.
     * @param platform the database
     * @param options the table names
     * @return the DDL statements, without comments or terminating semicolons
     */
    public static List<String> statements(JdbcPlatform platform, JdbcLockOptions options) {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(options, "options");
        String index = (platform == JdbcPlatform.H2 && options.schema() != null)
                ? options.schema() + "." + options.expiryIndexName() : options.expiryIndexName();
        Map<String, String> values = Map.of("${table}", options.qualifiedTableName(), "${sequence}",
                options.qualifiedSequenceName(), "${expiry_index}", index);
        StringBuilder script = new StringBuilder();
        for (String line : read(platform.schemaResource()).split("\n")) {
            if (!line.strip().startsWith("--")) {
                script.append(line).append('\n');
            }
        }
        String rendered = script.toString();
        for (Map.Entry<String, String> value : values.entrySet()) {
            rendered = rendered.replace(value.getKey(), value.getValue());
        }
        List<String> statements = new ArrayList<>();
        for (String statement : rendered.split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }

    /**
     * Creates the lock table, its sequence and its index where they do not exist, each statement in its own
     * transaction. The platform is the one configured, or detected from the connection.
     * @param dataSource a data source whose user may create tables in the schema
     * @param options the table names
     * @return the platform the schema was created for
     * @throws LockTableException if a statement failed for another reason than a concurrent creation of the same
     *     object
     */
    public static JdbcPlatform createIfMissing(DataSource dataSource, JdbcLockOptions options) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(options, "options");
        try (Connection connection = LockTableCheck.connect(dataSource, options)) {
            JdbcPlatform platform = (options.platform() != null) ? options.platform()
                    : JdbcPlatform.detect(connection.getMetaData());
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                for (String ddl : statements(platform, options)) {
                    execute(statement, ddl, options);
                }
            }
            finally {
                connection.setAutoCommit(autoCommit);
            }
            return platform;
        }
        catch (SQLException ex) {
            throw new LockTableException(LockTableException.Reason.SCHEMA_NOT_CREATED, options, options.platform(),
                    null, "Could not create lock table " + options.qualifiedTableName() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Returns the rights on the lock table and its sequence that the platform's script documents for the
     * application's database user, as they are granted.
     * @param platform the database
     * @param options the table names
     * @return for example {@code SELECT, INSERT, UPDATE, DELETE ON distributed_lock and USAGE ON SEQUENCE
     *     distributed_lock_token_seq}
     */
    public static String requiredRights(JdbcPlatform platform, JdbcLockOptions options) {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(options, "options");
        String onTable = "SELECT, INSERT, UPDATE, DELETE ON " + options.qualifiedTableName();
        String sequence = options.qualifiedSequenceName();
        return switch (platform) {
            case POSTGRESQL -> onTable + " and USAGE ON SEQUENCE " + sequence;
            case MARIADB -> onTable + " and SELECT, INSERT ON " + sequence;
            case H2 -> onTable + " (every H2 user may take values from the sequence)";
        };
    }

    private static void execute(Statement statement, String ddl, JdbcLockOptions options) throws SQLException {
        try {
            statement.execute(ddl);
        }
        catch (SQLException ex) {
            // Two instances starting together can both pass IF NOT EXISTS; PostgreSQL then reports a unique
            // violation in its catalog or a duplicate object. The object exists either way, and the table check
            // that follows creation decides whether it is usable.
            if (!SqlErrors.isLostRace(ex) && !DUPLICATE_OBJECT_STATES.contains(ex.getSQLState())) {
                throw new SQLException("'" + ddl + "' failed for lock table " + options.qualifiedTableName() + ": "
                        + ex.getMessage(), ex.getSQLState(), ex.getErrorCode(), ex);
            }
        }
    }

    private static String read(String resource) {
        try (InputStream in = JdbcLockSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Schema script " + resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read schema script " + resource, ex);
        }
    }

}
