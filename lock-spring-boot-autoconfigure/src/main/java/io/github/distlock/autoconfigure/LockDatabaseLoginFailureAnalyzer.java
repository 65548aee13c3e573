package io.github.distlock.autoconfigure;

import io.github.distlock.jdbc.LockTableException;
import io.github.distlock.jdbc.LockTableException.Reason;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

/**
 * Reports a database that refused the JDBC backend's login at start-up (wrong user name or password): which data
 * source, as configured, and the properties to fix. Neither the password nor a URL's user information is shown.
 */
class LockDatabaseLoginFailureAnalyzer extends LockTableExceptionFailureAnalyzer {

    LockDatabaseLoginFailureAnalyzer(@Nullable Environment environment) {
        super(environment, Reason.CREDENTIALS_REJECTED);
    }

    @Override
    String description(LockTableException failure, LockDataSourceSettings dataSource) {
        String table = (failure.options() != null) ? " (lock table " + table(failure) + ")" : "";
        return "The database refused the login of the JDBC lock backend" + table + " through "
                + dataSource.describe() + ".\n\nThe database said: " + databaseSaid(failure);
    }

    @Override
    String action(LockTableException failure, LockDataSourceSettings dataSource) {
        return "Set " + dataSource.loginSettings() + " to a user that the database accepts (a user or password "
                + "written into the JDBC URL counts too, and is better kept out of it).";
    }

}
