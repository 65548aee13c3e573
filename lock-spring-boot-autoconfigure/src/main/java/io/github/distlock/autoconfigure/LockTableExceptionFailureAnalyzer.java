package io.github.distlock.autoconfigure;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import io.github.distlock.jdbc.CredentialMasking;
import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.jdbc.JdbcPlatform;
import io.github.distlock.jdbc.LockTableException;
import io.github.distlock.jdbc.LockTableException.Reason;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * The common part of the failure analyzers of the JDBC backend's start-up: each handles some
 * {@link LockTableException.Reason reasons} and turns the exception into a description (what is wrong, in which
 * database, for which table, and what the database said) and an action. Every text passes through
 * {@link CredentialMasking}, so no password is printed, not even one echoed by a driver.
 *
 * <p>They are registered whatever the classpath; without lock-jdbc (the starter's default) they cannot be loaded,
 * and Spring Boot skips them as it skips its own analyzers of absent libraries. Immutable and thread-safe.
 */
abstract class LockTableExceptionFailureAnalyzer extends AbstractFailureAnalyzer<LockTableException> {

    private final Set<Reason> reasons;

    private final LockDataSourceSettings dataSource;

    LockTableExceptionFailureAnalyzer(@Nullable Environment environment, Reason first, Reason... others) {
        this.reasons = EnumSet.of(first, others);
        this.dataSource = new LockDataSourceSettings(environment);
    }

    @Override
    protected final @Nullable FailureAnalysis analyze(Throwable rootFailure, LockTableException cause) {
        if (!this.reasons.contains(cause.reason())) {
            return null;
        }
        return new FailureAnalysis(CredentialMasking.mask(description(cause, this.dataSource)),
                CredentialMasking.mask(action(cause, this.dataSource)), cause);
    }

    abstract String description(LockTableException failure, LockDataSourceSettings dataSource);

    abstract String action(LockTableException failure, LockDataSourceSettings dataSource);

    /** Names the database for a description: as the connection described it, else as it is configured. */
    static String database(LockTableException failure, LockDataSourceSettings dataSource) {
        return (failure.database() != null) ? failure.database() : dataSource.describe();
    }

    static String table(LockTableException failure) {
        JdbcLockOptions options = failure.options();
        return (options != null) ? options.qualifiedTableName() : JdbcLockOptions.DEFAULT_TABLE_NAME;
    }

    static String sequence(LockTableException failure) {
        JdbcLockOptions options = failure.options();
        return (options != null) ? options.qualifiedSequenceName() : JdbcLockOptions.DEFAULT_TABLE_NAME + "_token_seq";
    }

    /** The schema script of the table's database, or the pattern of their names when the database is unknown. */
    static String schemaScript(LockTableException failure) {
        JdbcPlatform platform = failure.platform();
        return (platform != null) ? platform.schemaResource() : "io/github/distlock/jdbc/schema-<database>.sql";
    }

    /**
     * Returns what the database (or its driver) said: the first line of every message down the cause chain, each
     * once, masked. A message without the class of its exception (such as an unknown host) is shown with it.
     */
    static String databaseSaid(LockTableException failure) {
        List<String> said = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable cause = failure.getCause(); cause != null && seen.add(cause); cause = cause.getCause()) {
            String text = (cause instanceof SQLException) ? cause.getMessage() : cause.toString();
            if (text == null || text.isBlank()) {
                continue;
            }
            String firstLine = CredentialMasking.mask(text.strip().lines().findFirst().orElse(""));
            if (said.stream().noneMatch(earlier -> earlier.contains(firstLine))) {
                said.add(firstLine);
            }
        }
        return said.isEmpty() ? "(nothing)" : String.join("; caused by ", said);
    }

}
