package io.github.distlock.testservers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
public final class RedisServer extends LocalServer {

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

    private static final Duration POLL = Duration.ofMillis(20);

    private final Path binary;

    private final List<String> extraArguments;

    private RedisServer(Path binary, Path directory, int port, List<String> extraArguments) {
        super("Redis", directory, port, STARTUP_TIMEOUT, POLL);
        this.binary = binary;
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
        Path binary = RedisBinary.executable();
        List<String> arguments = List.copyOf(extraArguments);
        return startIn("distlock-redis-" + port, directory -> new RedisServer(binary, directory, port, arguments));
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
