package io.github.distlock.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * A data source that counts the connections taken from it: the JDBC backend takes one per lock statement (and its
 * release listener one when it starts), so the count tells how many attempts a node made.
 */
final class CountingDataSource implements DataSource {

    private final DataSource target;

    private final AtomicInteger taken = new AtomicInteger();

    CountingDataSource(DataSource target) {
        this.target = target;
    }

    /** How many connections were taken so far. */
    int taken() {
        return this.taken.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        this.taken.incrementAndGet();
        return this.target.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        this.taken.incrementAndGet();
        return this.target.getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return this.target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        this.target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        this.target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return this.target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return this.target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return this.target.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return this.target.isWrapperFor(type);
    }

}
