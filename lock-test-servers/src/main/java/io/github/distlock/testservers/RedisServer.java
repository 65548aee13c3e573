package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A real Redis server for one test: started on a free loopback port without persistence, in a temporary
 * directory, from the installed {@code redis-server} (or the embedded-redis binary, see {@link RedisBinary}).
 * The test can kill it, pause it (SIGSTOP) and restart it on the same port with its data gone.
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class RedisServer implements AutoCloseable {

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

    private final Path binary;

    private final Path directory;

    private final int port;

    private final List<String> extraArguments;

    private @Nullable LocalProcess process;

    private RedisServer(Path binary, Path directory, int port, List<String> extraArguments) {
        this.binary = binary;
        this.directory = directory;
        this.port = port;
        this.extraArguments = extraArguments;
    }

    /**
     * Starts a server with the given extra arguments (for example {@code --requirepass secret}).
     * @param extraArguments arguments appended to the command line
     * @return the running server
     */
    public static RedisServer start(String... extraArguments) {
        return start(FreePorts.next(), List.of(extraArguments));
    }

    /**
     * Starts a server on the given port.
     * @param port the port
     * @param extraArguments arguments appended to the command line
     * @return the running server
     */
    public static RedisServer start(int port, List<String> extraArguments) {
        RedisBinary.Source source = RedisBinary.detect();
        if (source == RedisBinary.Source.CONTAINER) {
            throw new IllegalStateException("Only a container is available for Redis here, and these tests need to "
                    + "signal the server process; install redis-server (Debian: apt-get install -y redis-server)");
        }
        try {
            RedisServer server = new RedisServer(RedisBinary.executable(),
                    Files.createTempDirectory("distlock-redis-" + port), port, List.copyOf(extraArguments));
            server.launch();
            return server;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Returns the loopback address the server listens on.
     * @return {@code 127.0.0.1}
     */
    public String host() {
        return "127.0.0.1";
    }

    /**
     * Returns the port.
     * @return the port
     */
    public int port() {
        return this.port;
    }

    /**
     * Returns a {@code redis://} URI for the server.
     * @return the URI
     */
    public String uri() {
        return "redis://" + host() + ":" + this.port;
    }

    /**
     * Returns the server's working directory (for configuration and certificate files).
     * @return the directory
     */
    public Path directory() {
        return this.directory;
    }

    /**
     * Returns the PID of the running process.
     * @return the PID
     */
    public long pid() {
        return running().pid();
    }

    /**
     * Opens a connection for checks and set-up (see {@link #connect(int, Duration)}).
     * @return the connection, closed by the caller; not thread-safe
     */
    public Jedis connect() {
        return connect(this.port, Duration.ofSeconds(5));
    }

    /**
     * Opens a connection to a Redis server (or a Sentinel) on 127.0.0.1 that sends nothing of its own: no
     * {@code CLIENT SETINFO} when it connects, and no password (a command before {@code AUTH} on a server that
     * requires one fails with {@code NOAUTH}), so that the server counts and logs only what the test sends.
     * @param port the port
     * @param timeout the connect and read timeout
     * @return the connection, closed by the caller; not thread-safe
     * @throws redis.clients.jedis.exceptions.JedisConnectionException if nothing answers on the port
     */
    public static Jedis connect(int port, Duration timeout) {
        int millis = Math.toIntExact(timeout.toMillis());
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(millis)
            .socketTimeoutMillis(millis)
            .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
            .build());
    }

    /**
     * Kills the server with SIGKILL; its data is gone.
     */
    public void kill() {
        if (this.process != null) {
            this.process.kill();
            this.process = null;
        }
    }

    /**
     * Starts the server again on the same port after {@link #kill()}, empty.
     */
    public void restart() {
        kill();
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
     * Reads one section of {@code INFO} (on a server without a password).
     * @param section the INFO section, for example {@code commandstats}
     * @return the section's text
     */
    public String info(String section) {
        try (Jedis connection = connect()) {
            return connection.info(section);
        }
    }

    @Override
    public void close() {
        kill();
        LocalProcess.deleteRecursively(this.directory);
    }

    private LocalProcess running() {
        if (this.process == null) {
            throw new IllegalStateException("Redis on port " + this.port + " is not running");
        }
        return this.process;
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(this.binary.toString(), "--port", Integer.toString(this.port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.directory.toString(),
                "--protected-mode", "no"));
        command.addAll(this.extraArguments);
        this.process = LocalProcess.start(command, this.directory, "redis-" + this.port + ".log");
        awaitReady(this.process, this.port, "Redis");
    }

    static void awaitReady(LocalProcess process, int port, String what) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " on port " + port + " exited at start:\n" + process.logTail());
            }
            try (Jedis connection = connect(port, Duration.ofSeconds(1))) {
                connection.ping();
                return;
            }
            catch (JedisDataException ex) {
                // NOAUTH and similar: an error reply, so the server is up and answering.
                return;
            }
            catch (RuntimeException ex) {
                last = ex;
            }
            Pause.of(Duration.ofMillis(20));
        }
        process.kill();
        throw new IllegalStateException(what + " on port " + port + " did not answer within " + STARTUP_TIMEOUT
                + ":\n" + process.logTail(), last);
    }

}
