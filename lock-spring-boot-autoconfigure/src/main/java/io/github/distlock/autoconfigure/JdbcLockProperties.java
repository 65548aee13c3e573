package io.github.distlock.autoconfigure;

import java.time.Duration;

import io.github.distlock.jdbc.JdbcLockOptions;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * The {@code distributed-lock.jdbc.*} properties: which data source, which table, and whether to create it. Fields
 * and their defaults only: the rules live in {@link JdbcLockOptions}, and {@link JdbcBackendConfiguration} names the
 * property when a value is invalid.
 *
 * <p>Mutable while the binder fills it; not meant to be changed afterwards. Not thread-safe.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(JdbcLockProperties.PREFIX)
public class JdbcLockProperties {

    static final String PREFIX = DistributedLockProperties.PREFIX + ".jdbc";

    /**
     * Name of the DataSource bean for lock statements; by default the application's only or primary DataSource.
     */
    private @Nullable String dataSource;

    /**
     * Database schema that holds the lock table (the database on MariaDB); by default the connection's current
     * schema. A plain SQL identifier.
     */
    private @Nullable String databaseSchema;

    /**
     * Old name of distributed-lock.jdbc.database-schema: the database schema that holds the lock table.
     */
    private @Nullable String schema;

    /**
     * Name of the lock table, a plain SQL identifier; its sequence is named <table-name>_token_seq.
     */
    private String tableName = JdbcLockOptions.defaults().tableName();

    /**
     * When to create a missing lock table, its sequence and its index at start-up: embedded (only on H2, the
     * embedded database of development and tests), always, or never.
     */
    private DatabaseInitializationMode initializeSchema = DatabaseInitializationMode.EMBEDDED;

    /**
     * Longest time a lock statement may run before the driver cancels it, in whole seconds.
     */
    private Duration queryTimeout = JdbcLockOptions.defaults().queryTimeout();

    /**
     * How long the row of an ended lock is kept before the clean-up may delete it; longer than the query timeout.
     */
    private Duration expiredRowRetention = JdbcLockOptions.defaults().expiredRowRetention();

    /**
     * Whether waiters queue per key on PostgreSQL and a release hands the key to the oldest one and tells its
     * instance with NOTIFY. Turn it off behind a connection pooler that cannot LISTEN (PgBouncer in transaction
     * mode); waiters then poll with backoff, as on MariaDB and H2.
     */
    private boolean releaseNotification = JdbcLockOptions.defaults().releaseNotification();

    public @Nullable String getDataSource() {
        return this.dataSource;
    }

    public void setDataSource(@Nullable String dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Returns the database schema of the lock table, under its new name or else its old one.
     * @return the schema, or {@code null} for the connection's current schema
     */
    public @Nullable String getDatabaseSchema() {
        return (this.databaseSchema != null) ? this.databaseSchema : this.schema;
    }

    public void setDatabaseSchema(@Nullable String databaseSchema) {
        this.databaseSchema = databaseSchema;
    }

    /**
     * The old name of {@link #getDatabaseSchema()}: Spring Boot's {@code schema} properties name a script location,
     * not a database schema.
     * @return the database schema
     * @deprecated since 0.1.0 for removal; use {@code distributed-lock.jdbc.database-schema}
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    @DeprecatedConfigurationProperty(replacement = PREFIX + ".database-schema", since = "0.1.0",
            reason = "Spring Boot's schema properties name a script location; this one names a database schema")
    public @Nullable String getSchema() {
        return this.schema;
    }

    /**
     * Sets the database schema under its old name.
     * @param schema the database schema
     * @deprecated since 0.1.0 for removal; use {@code distributed-lock.jdbc.database-schema}
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public void setSchema(@Nullable String schema) {
        this.schema = schema;
    }

    public String getTableName() {
        return this.tableName;
    }

    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public DatabaseInitializationMode getInitializeSchema() {
        return this.initializeSchema;
    }

    public void setInitializeSchema(DatabaseInitializationMode initializeSchema) {
        this.initializeSchema = initializeSchema;
    }

    public Duration getQueryTimeout() {
        return this.queryTimeout;
    }

    public void setQueryTimeout(Duration queryTimeout) {
        this.queryTimeout = queryTimeout;
    }

    public Duration getExpiredRowRetention() {
        return this.expiredRowRetention;
    }

    public void setExpiredRowRetention(Duration expiredRowRetention) {
        this.expiredRowRetention = expiredRowRetention;
    }

    public boolean isReleaseNotification() {
        return this.releaseNotification;
    }

    public void setReleaseNotification(boolean releaseNotification) {
        this.releaseNotification = releaseNotification;
    }

}
