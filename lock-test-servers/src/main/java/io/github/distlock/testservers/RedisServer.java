package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A real Redis server for one test: started on a free loopback port without persistence, in a temporary
 * directory, from the installed {@code redis-server} (or the embedded-redis binary, see {@link RedisBinary}).
 * The test can kill it, pause it (SIGSTOP) and restart it on the same port with its data gone; one started by
 * {@link #startWithMovableClock} can also have its clock moved while it runs.
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class RedisServer extends LocalServer {

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

    private static final Duration POLL = Duration.ofMillis(20);

    private final Path binary;

    /** Debian's libfaketime (package {@code faketime}), preloaded into a server whose clock a test moves. */
    static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");

    private final List<String> extraArguments;

    // The file libfaketime reads the clock's offset from at every clock call; null for a server on the real clock.
    private final @Nullable Path clockOffsetFile;

    private RedisServer(Path binary, Path directory, int port, List<String> extraArguments,
            @Nullable Path clockOffsetFile) {
        super("Redis", directory, port, STARTUP_TIMEOUT, POLL);
        this.binary = binary;
        this.extraArguments = extraArguments;
        this.clockOffsetFile = clockOffsetFile;
    }

    /**
     * Starts a server whose clock {@link #moveClockBy} can move while it runs: the Redis 6.2 binary of the
     * embedded-redis jar under libfaketime (Debian's {@code redis-server} does not start under it), so expiry and
     * {@code TIME} follow the moved clock. Needs Debian's {@code faketime} package on Linux x86-64.
     * @return the running server, on the real time until its clock is moved
     * @throws IllegalStateException naming what to install when libfaketime or the embedded binary is missing
     */
    public static RedisServer startWithMovableClock() {
        if (!Files.isReadable(LIBFAKETIME)) {
            throw new IllegalStateException("A Redis server with a movable clock needs " + LIBFAKETIME
                    + " (Debian: apt-get install -y faketime)");
        }
        if (!RedisBinary.embeddedBinaryPresent()) {
            throw new IllegalStateException("A Redis server with a movable clock needs the Redis binary of the "
                    + "embedded-redis jar (" + RedisBinary.EMBEDDED_LINUX_AMD64 + ") on Linux x86-64");
        }
        Path binary = RedisBinary.extractEmbedded();
        int port = FreePorts.next();
        return startIn("distlock-redis-clock-" + port, directory -> {
            Path offset = directory.resolve("clock-offset");
            writeOffset(offset, Duration.ZERO);
            return new RedisServer(binary, directory, port, List.of(), offset);
        });
    }

    /**
     * Moves the clock of a server started by {@link #startWithMovableClock}: from its next clock call on, it reads
     * real time plus the offset (whole seconds), keys' expiry included.
     * @param offset how far ahead of real time the server's clock runs
     */
    public void moveClockBy(Duration offset) {
        if (this.clockOffsetFile == null) {
            throw new IllegalStateException("Only a server started with startWithMovableClock() has a movable clock");
        }
        writeOffset(this.clockOffsetFile, offset);
    }

    private static void writeOffset(Path file, Duration offset) {
        try {
            Files.writeString(file, "+" + offset.toSeconds() + "\n");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
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
        Path binary = RedisBinary.executable();
        List<String> arguments = List.copyOf(extraArguments);
        return startIn("distlock-redis-" + port,
                directory -> new RedisServer(binary, directory, port, arguments, null));
    }

    /**
     * Returns the loopback address the server listens on.
     * @return {@code 127.0.0.1}
     */
    public String host() {
        return "127.0.0.1";
    }

    /**
     * Returns a {@code redis://} URI for the server.
     * @return the URI
     */
    public String uri() {
        return "redis://" + host() + ":" + port();
    }

    /**
     * Opens a connection for checks and set-up (see {@link #connect(int, Duration)}).
     * @return the connection, closed by the caller; not thread-safe
     */
    public Jedis connect() {
        return connect(port(), Duration.ofSeconds(5));
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
    List<String> serverCommand() {
        List<String> command = new ArrayList<>(List.of(this.binary.toString(), "--port", Integer.toString(port()),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory().toString(),
                "--protected-mode", "no"));
        command.addAll(this.extraArguments);
        return command;
    }

    @Override
    Map<String, String> environment() {
        if (this.clockOffsetFile == null) {
            return Map.of();
        }
        // Re-read at every clock call, so a test moves the clock of the running server.
        return Map.of("LD_PRELOAD", LIBFAKETIME.toString(), "FAKETIME_TIMESTAMP_FILE",
                this.clockOffsetFile.toString(), "FAKETIME_NO_CACHE", "1");
    }

    @Override
    boolean answers() {
        return pings(port());
    }

    /**
     * Waits until a Redis process (a server or a Sentinel) answers on its port.
     * @throws IllegalStateException (after killing it) if it exits or stays silent for the start-up time
     */
    static void awaitReady(LocalProcess process, int port, String product) {
        String name = product + " on port " + port;
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        if (!process.awaitAnswer(name, STARTUP_TIMEOUT, deadline, POLL, () -> pings(port))) {
            throw new IllegalStateException(name + " exited at start:\n" + process.logTail());
        }
    }

    private static boolean pings(int port) {
        try (Jedis connection = connect(port, Duration.ofSeconds(1))) {
            connection.ping();
            return true;
        }
        catch (JedisDataException ex) {
            // NOAUTH and similar: an error reply, so the server is up and answering.
            return true;
        }
    }

}
