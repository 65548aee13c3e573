package io.github.distlock.testservers;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the tests' database servers add to a {@link LocalServer}: a data directory, a JDBC URL, and a shutdown by the
 * database's own signal (with a kill when it takes longer than its grace), also before a {@link #restart()}.
 *
 * <p>Not thread-safe: one test class drives a server.
 */
public abstract sealed class DatabaseServer extends LocalServer permits PostgresServer, MariaDbServer {

    private final String shutdownSignal;

    private final Duration shutdownGrace;

    DatabaseServer(String product, Path directory, Duration startupTimeout, String shutdownSignal,
            Duration shutdownGrace) {
        super(product, directory, FreePorts.next(), startupTimeout, Pause.POLL);
        this.shutdownSignal = shutdownSignal;
        this.shutdownGrace = shutdownGrace;
    }

    /**
     * Returns a JDBC URL for a database of this server.
     * @param database the database (for MariaDB a schema; {@code ""} for none)
     * @return the URL
     */
    public abstract String jdbcUrl(String database);

    /** Where the server keeps its data; set-up commands (initdb, install-db) get as long as the start. */
    final Path dataDirectory() {
        return directory().resolve("data");
    }

    @Override
    final void shutDown(LocalProcess running) {
        running.stop(this.shutdownSignal, this.shutdownGrace);
    }

}
