package io.github.distlock.benchmarks.contenders;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.jdbc.JdbcLockSchema;

/**
 * Creates the lock tables of every PostgreSQL contender in one database, where they are missing: this project's
 * (through {@link JdbcLockSchema}), the floor's, ShedLock's {@code shedlock} and Spring Integration's
 * {@code INT_LOCK}. Stateless.
 */
public final class PostgresTables {

    private PostgresTables() {
    }

    /**
     * Creates the tables that are missing.
     * @param dataSource the database
     * @throws IllegalStateException if a statement fails
     */
    public static void createIfMissing(DataSource dataSource) {
        JdbcLockSchema.createIfMissing(dataSource, JdbcLockOptions.defaults());
        List<String> statements = List.of(PostgresFloorContender.CREATE_TABLE, ShedLockJdbcContender.CREATE_TABLE,
                SpringIntegrationJdbcContender.createTable());
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Cannot create the PostgreSQL contenders' tables", ex);
        }
    }

}
