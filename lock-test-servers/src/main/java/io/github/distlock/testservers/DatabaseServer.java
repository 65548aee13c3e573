package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * What the tests' database servers share: a temporary directory that holds the data directory and the log, a free
 * loopback port, a start that waits until the server answers, a kill (a crash) and a restart on the same data, and
 * a shutdown by a signal to the server's own PID, after which the directory is deleted.
 *
 * <p>Not thread-safe: one test class drives a server.
 */
public abstract sealed class DatabaseServer implements AutoCloseable permits PostgresServer, MariaDbServer {

    private final String product;

    private final Path directory;

    private final int port;

    private final Duration startupTimeout;

    private final String shutdownSignal;

    private final Duration shutdownGrace;

    // Set by launch() once the server answers, cleared by kill() and close(): the test thread only.
    private @Nullable LocalProcess process;

    DatabaseServer(String product, Path directory, Duration startupTimeout, String shutdownSignal,
            Duration shutdownGrace) {
        this.product = product;
        this.directory = directory;
        this.port = FreePorts.next();
        this.startupTimeout = startupTimeout;
        this.shutdownSignal = shutdownSignal;
        this.shutdownGrace = shutdownGrace;
    }

    /**
     * Creates a temporary directory, prepares a server in it and starts it; the directory is deleted when that fails.
     * @param prefix the directory name's prefix
     * @param prepare creates the server in the directory (for example its data directory)
     * @return the running server
     */
    static <S extends DatabaseServer> S startIn(String prefix, Function<Path, S> prepare) {
        Path directory;
        try {
            directory = Files.createTempDirectory(prefix);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        try {
            S server = prepare.apply(directory);
            server.launch();
            return server;
        }
        catch (RuntimeException ex) {
            LocalProcess.deleteRecursively(directory);
            throw ex;
        }
    }

    /**
     * Returns a JDBC URL for a database of this server.
     * @param database the database (for MariaDB a schema; {@code ""} for none)
     * @return the URL
     */
    public abstract String jdbcUrl(String database);

    /**
     * Returns the port.
     * @return the port on 127.0.0.1
     */
    public int port() {
        return this.port;
    }

    /**
     * Returns the PID of the server process.
     * @return the PID
     * @throws IllegalStateException if the server is not running
     */
    public long pid() {
        return running().pid();
    }

    /**
     * Kills the server with SIGKILL, as a crash.
     */
    public void kill() {
        if (this.process != null) {
            this.process.kill();
            this.process = null;
        }
    }

    /**
     * Starts the server again on the same port and data directory; after {@link #kill()} it recovers as after a
     * crash.
     */
    public void restart() {
        stop();
        launch();
    }

    /**
     * Shuts the server down and deletes its directory.
     */
    @Override
    public void close() {
        stop();
        LocalProcess.deleteRecursively(this.directory);
    }

    final Path directory() {
        return this.directory;
    }

    /** How long the start may take; set-up commands (initdb, install-db) get as long. */
    final Duration startupTimeout() {
        return this.startupTimeout;
    }

    final Path dataDirectory() {
        return this.directory.resolve("data");
    }

    /** The server's command line; it writes to the log in {@link #directory()}. */
    abstract List<String> serverCommand();

    /** Whether the server accepts connections now. */
    abstract boolean answers();

    /**
     * Whether a server process that exited during start-up is started again while the start-up time allows; by
     * default not, and its log says why it exited.
     */
    boolean restartsAfterEarlyExit() {
        return false;
    }

    final void launch() {
        long deadline = System.nanoTime() + this.startupTimeout.toNanos();
        String log = this.product.toLowerCase(Locale.ROOT) + "-" + this.port + ".log";
        while (true) {
            LocalProcess started = LocalProcess.start(serverCommand(), this.directory, log);
            while (started.isAlive() && !answers()) {
                if (System.nanoTime() - deadline > 0) {
                    started.kill();
                    throw new IllegalStateException(this.product + " on port " + this.port + " did not answer within "
                            + this.startupTimeout + ":\n" + started.logTail());
                }
                Pause.of(Pause.POLL);
            }
            if (started.isAlive()) {
                this.process = started;
                return;
            }
            if (!restartsAfterEarlyExit() || System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(this.product + " on port " + this.port + " exited at start:\n"
                        + started.logTail());
            }
            Pause.of(Pause.POLL.multipliedBy(4));
        }
    }

    private void stop() {
        if (this.process != null) {
            this.process.stop(this.shutdownSignal, this.shutdownGrace);
            this.process = null;
        }
    }

    private LocalProcess running() {
        if (this.process == null) {
            throw new IllegalStateException(this.product + " on port " + this.port + " is not running");
        }
        return this.process;
    }

}
