package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * What the tests' server processes share: a temporary directory that holds the server's data and its log, a
 * loopback port, a start that waits until the server answers, a kill (a crash), a pause (SIGSTOP) and a restart on
 * the same port and directory, and a shutdown of the server's own PID, after which the directory is deleted.
 *
 * <p>Not thread-safe: one test drives a server.
 */
public abstract sealed class LocalServer implements AutoCloseable permits DatabaseServer, EtcdServer, RedisServer {

    private final String product;

    private final Path directory;

    private final int port;

    private final Duration startupTimeout;

    private final Duration poll;

    // Set by launch() once the server answers, cleared by kill() and close(): the test thread only.
    private @Nullable LocalProcess process;

    LocalServer(String product, Path directory, int port, Duration startupTimeout, Duration poll) {
        this.product = product;
        this.directory = directory;
        this.port = port;
        this.startupTimeout = startupTimeout;
        this.poll = poll;
    }

    /**
     * Creates a temporary directory, prepares a server in it and starts it; the directory is deleted when that fails.
     * @param prefix the directory name's prefix
     * @param prepare creates the server in the directory (for example its data directory)
     * @return the running server
     */
    static <S extends LocalServer> S startIn(String prefix, Function<Path, S> prepare) {
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
     * Returns the port.
     * @return the port on 127.0.0.1
     */
    public int port() {
        return this.port;
    }

    /**
     * Returns the server's working directory, which holds its data, its log and its configuration files.
     * @return the directory
     */
    public Path directory() {
        return this.directory;
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
     * Kills the server with SIGKILL, as a crash; its directory stays, for {@link #restart()}.
     */
    public void kill() {
        if (this.process != null) {
            this.process.kill();
            this.process = null;
        }
    }

    /**
     * Shuts the server down (or finds it killed) and starts it again on the same port and directory.
     */
    public void restart() {
        stop();
        launch();
    }

    /**
     * Stops the server's process with SIGSTOP: it keeps its connections but answers nothing.
     */
    public void pause() {
        running().signal("STOP");
    }

    /**
     * Lets a paused server continue (SIGCONT).
     */
    public void resume() {
        running().signal("CONT");
    }

    /**
     * Shuts the server down and deletes its directory.
     */
    @Override
    public void close() {
        stop();
        LocalProcess.deleteRecursively(this.directory);
    }

    /** How long the start may take. */
    final Duration startupTimeout() {
        return this.startupTimeout;
    }

    /** The server's command line; it writes to the log in {@link #directory()}. */
    abstract List<String> serverCommand();

    /**
     * Whether the server accepts connections now; an exception counts as not yet and becomes the cause of the
     * failure when the server never answers.
     */
    abstract boolean answers() throws Exception;

    /**
     * Whether a server process that exited during start-up is started again while the start-up time allows; by
     * default not, and its log says why it exited.
     */
    boolean restartsAfterEarlyExit() {
        return false;
    }

    /** Variables added to the server process's environment; by default none. */
    Map<String, String> environment() {
        return Map.of();
    }

    /** Ends the running server process; by default with SIGKILL. */
    void shutDown(LocalProcess running) {
        running.kill();
    }

    final void launch() {
        String name = this.product + " on port " + this.port;
        String log = this.product.toLowerCase(Locale.ROOT) + "-" + this.port + ".log";
        long deadline = System.nanoTime() + this.startupTimeout.toNanos();
        while (true) {
            LocalProcess started = LocalProcess.start(serverCommand(), this.directory, log, environment());
            if (started.awaitAnswer(name, this.startupTimeout, deadline, this.poll, this::answers)) {
                this.process = started;
                return;
            }
            if (!restartsAfterEarlyExit() || System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + " exited at start:\n" + started.logTail());
            }
            Pause.of(this.poll.multipliedBy(4));
        }
    }

    private void stop() {
        if (this.process != null) {
            shutDown(this.process);
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
