package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

/**
 * The databases the JDBC backend supports, each with its own lock statements and schema script
 * ({@code io/github/distlock/jdbc/schema-<id>.sql}).
 *
 * <ul>
 * <li>{@link #POSTGRESQL}: 9.6 or later ({@code INSERT ... ON CONFLICT}); time from {@code clock_timestamp()}.</li>
 * <li>{@link #MARIADB}: 10.5 or later (sequences and {@code INSERT ... RETURNING}); time from
 * {@code UTC_TIMESTAMP(6)}. MySQL has neither sequences nor {@code RETURNING} and is not supported.</li>
 * <li>{@link #H2}: 2.x ({@code MERGE} inside {@code FINAL TABLE}); time from {@code CURRENT_TIMESTAMP(6)}, which for
 * an embedded H2 is the application's own clock.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public enum JdbcPlatform {

    /** PostgreSQL 9.6 or later. */
    POSTGRESQL("postgresql", "PostgreSQL", 9, 6) {
        @Override
        LockStatements statements(JdbcLockOptions options) {
            return new PostgresLockStatements(options);
        }
    },

    /** MariaDB 10.5 or later. */
    MARIADB("mariadb", "MariaDB", 10, 5) {
        @Override
        LockStatements statements(JdbcLockOptions options) {
            return new MariaDbLockStatements(options);
        }
    },

    /** H2 2.x. */
    H2("h2", "H2", 2, 0) {
        @Override
        LockStatements statements(JdbcLockOptions options) {
            return new H2LockStatements(options);
        }
    };

    private static final Pattern MARIADB_VERSION = Pattern.compile("^(?:5\\.5\\.5-)?(\\d+)\\.(\\d+)");

    private final String id;

    private final String displayName;

    private final int minimumMajor;

    private final int minimumMinor;

    JdbcPlatform(String id, String displayName, int minimumMajor, int minimumMinor) {
        this.id = id;
        this.displayName = displayName;
        this.minimumMajor = minimumMajor;
        this.minimumMinor = minimumMinor;
    }

    /**
     * Returns the short identifier used in resource names.
     * @return for example {@code postgresql}
     */
    public String id() {
        return this.id;
    }

    /**
     * Returns the classpath location of this database's schema script, with the placeholders {@code ${table}},
     * {@code ${sequence}} and {@code ${expiry_index}} (see {@link JdbcLockSchema}).
     * @return for example {@code io/github/distlock/jdbc/schema-postgresql.sql}
     */
    public String schemaResource() {
        return "io/github/distlock/jdbc/schema-" + this.id + ".sql";
    }

    /**
     * Finds the platform of the database behind a data source, with one connection.
     * @param dataSource the data source
     * @return the platform
     * @throws LockTableException if no connection could be made (its reason tells a refused login from a database
     *     that cannot be reached)
     * @throws IllegalStateException if the database is not supported, naming what is
     */
    public static JdbcPlatform detect(DataSource dataSource) {
        try (Connection connection = LockTableCheck.connect(dataSource, null)) {
            return detect(connection.getMetaData());
        }
        catch (SQLException ex) {
            throw new LockTableException("Cannot tell which database the lock table is in: " + ex.getMessage(), ex);
        }
    }

    /**
     * Finds the platform of a database from its metadata.
     * @param metaData the metadata of a connection to the database
     * @return the platform
     * @throws SQLException if the metadata cannot be read
     * @throws IllegalStateException if the database is not supported, naming what is
     */
    public static JdbcPlatform detect(DatabaseMetaData metaData) throws SQLException {
        String product = metaData.getDatabaseProductName();
        String version = metaData.getDatabaseProductVersion();
        String lowerProduct = String.valueOf(product).toLowerCase(Locale.ROOT);
        if (lowerProduct.contains("postgresql")) {
            return POSTGRESQL;
        }
        // MySQL's driver reports a MariaDB server as "MySQL" with a version such as "10.11.6-MariaDB".
        if (lowerProduct.contains("mariadb") || String.valueOf(version).toLowerCase(Locale.ROOT).contains("mariadb")) {
            return MARIADB;
        }
        if (lowerProduct.equals("h2")) {
            return H2;
        }
        if (lowerProduct.contains("mysql")) {
            throw new IllegalStateException("The JDBC lock backend does not support MySQL " + version
                    + ": it needs database sequences and INSERT ... RETURNING, which MySQL lacks; use MariaDB 10.5+, "
                    + "PostgreSQL or H2");
        }
        throw new IllegalStateException("The JDBC lock backend does not support the database '" + product + "' "
                + version + "; supported are PostgreSQL 9.6+, MariaDB 10.5+ and H2 2.x");
    }

    void requireSupportedVersion(DatabaseMetaData metaData) throws SQLException {
        int major = metaData.getDatabaseMajorVersion();
        int minor = metaData.getDatabaseMinorVersion();
        // MariaDB announces itself as "5.5.5-10.11.6-MariaDB" to old MySQL clients, and MySQL's driver reports 5.5.
        Matcher mariaDbVersion = MARIADB_VERSION.matcher(String.valueOf(metaData.getDatabaseProductVersion()));
        if (this == MARIADB && mariaDbVersion.find()) {
            major = Integer.parseInt(mariaDbVersion.group(1));
            minor = Integer.parseInt(mariaDbVersion.group(2));
        }
        if (major < this.minimumMajor || (major == this.minimumMajor && minor < this.minimumMinor)) {
            throw new IllegalStateException("The JDBC lock backend needs " + this.displayName + " "
                    + this.minimumMajor + "." + this.minimumMinor + " or later; the database is "
                    + metaData.getDatabaseProductVersion());
        }
    }

    abstract LockStatements statements(JdbcLockOptions options);

    /**
     * Returns the database's name for messages.
     * @return for example {@code PostgreSQL}
     */
    public String displayName() {
        return this.displayName;
    }

}
