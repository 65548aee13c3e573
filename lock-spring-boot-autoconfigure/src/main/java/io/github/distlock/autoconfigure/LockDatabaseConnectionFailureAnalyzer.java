package io.github.distlock.autoconfigure;

import io.github.distlock.jdbc.LockTableException;
import io.github.distlock.jdbc.LockTableException.Reason;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

/**
 * Reports a database that the JDBC backend could not reach at start-up, when it checks its lock table: down,
 * unreachable from this host, or not what the URL names. The action names the property that holds the URL.
 */
class LockDatabaseConnectionFailureAnalyzer extends LockTableExceptionFailureAnalyzer {

    LockDatabaseConnectionFailureAnalyzer(@Nullable Environment environment) {
        super(environment, Reason.NO_CONNECTION);
    }

    @Override
    String description(LockTableException failure, LockDataSourceSettings dataSource) {
        String table = (failure.options() != null) ? " (lock table " + table(failure) + ")" : "";
        return "The JDBC lock backend could not connect to its database" + table + " through "
                + dataSource.describe() + " at start-up.\n\nThe driver said: " + databaseSaid(failure);
    }

    @Override
    String action(LockTableException failure, LockDataSourceSettings dataSource) {
        return "Make sure that the database is running and reachable from this host, and that "
                + dataSource.urlSetting() + " names its host, port and database correctly. The JDBC lock backend "
                + "checks its table at start-up, so the database must be up when the application starts.";
    }

}
