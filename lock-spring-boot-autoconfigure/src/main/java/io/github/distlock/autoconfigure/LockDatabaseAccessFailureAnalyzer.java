package io.github.distlock.autoconfigure;

import io.github.distlock.jdbc.LockTableException;
import io.github.distlock.jdbc.LockTableException.Reason;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

/**
 * Reports a database that the JDBC backend could not use at start-up, when it checks its lock table: one that
 * refused the login (wrong user name or password), or one it could not reach (down, unreachable from this host, or
 * not what the URL names). It names the data source as configured and the properties to fix; neither the password
 * nor a URL's user information is shown.
 */
class LockDatabaseAccessFailureAnalyzer extends LockTableExceptionFailureAnalyzer {

    LockDatabaseAccessFailureAnalyzer(@Nullable Environment environment) {
        super(environment, Reason.CREDENTIALS_REJECTED, Reason.NO_CONNECTION);
    }

    @Override
    String description(LockTableException failure, LockDataSourceSettings dataSource) {
        String table = (failure.options() != null) ? " (lock table " + table(failure) + ")" : "";
        if (failure.reason() == Reason.CREDENTIALS_REJECTED) {
            return "The database refused the login of the JDBC lock backend" + table + " through "
                    + dataSource.describe() + ".\n\nThe database said: " + databaseSaid(failure);
        }
        return "The JDBC lock backend could not connect to its database" + table + " through "
                + dataSource.describe() + " at start-up.\n\nThe driver said: " + databaseSaid(failure);
    }

    @Override
    String action(LockTableException failure, LockDataSourceSettings dataSource) {
        if (failure.reason() == Reason.CREDENTIALS_REJECTED) {
            return "Set " + dataSource.loginSettings() + " to a user that the database accepts (a user or password "
                    + "written into the JDBC URL counts too, and is better kept out of it).";
        }
        return "Make sure that the database is running and reachable from this host, and that "
                + dataSource.urlSetting() + " names its host, port and database correctly. The JDBC lock backend "
                + "checks its table at start-up, so the database must be up when the application starts.";
    }

}
