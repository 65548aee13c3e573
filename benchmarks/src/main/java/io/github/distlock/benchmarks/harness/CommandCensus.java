package io.github.distlock.benchmarks.harness;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Tells the commands clients sent from those Lua scripts ran, which {@code INFO commandstats} counts together.
 * It reads Redis's {@code MONITOR} stream, where every command is tagged with its source: a client address, or
 * {@code lua} for a command run by a script. MONITOR slows the server down, so a census runs apart from the timed
 * passes. Housekeeping commands are left out as in {@link RedisCommandStats}. Started, finished and closed by one
 * thread; the stream is read by a thread of its own.
 */
final class CommandCensus implements AutoCloseable {

    private static final String START_MARKER = "distlock-census-start";

    private static final String END_MARKER = "distlock-census-end";

    private static final long MARKER_TIMEOUT_SECONDS = 30;

    private final String host;

    private final int port;

    private final Jedis monitor;

    // Written by the reader thread only; read after it has seen the end marker.
    private final Map<String, Long> sentByClients = new TreeMap<>();

    private final Map<String, Long> runByScripts = new TreeMap<>();

    private final CountDownLatch started = new CountDownLatch(1);

    private final CountDownLatch ended = new CountDownLatch(1);

    private CommandCensus(String host, int port) {
        this.host = host;
        this.port = port;
        this.monitor = RedisCommandStats.connect(host, port);
    }

    /**
     * Starts monitoring the server and returns once the stream shows a command sent after the start.
     * @param host the host
     * @param port the port
     * @return the running census
     */
    static CommandCensus start(String host, int port) {
        CommandCensus census = new CommandCensus(host, port);
        Thread reader = new Thread(census::read, "bench-monitor");
        reader.setDaemon(true);
        reader.start();
        // MONITOR shows only what comes after it: until it shows our marker, a command of the census could be missed.
        census.awaitMarker(START_MARKER, census.started);
        return census;
    }

    /**
     * Waits until every command sent so far has been seen and stops monitoring.
     * @param operations the lock operations the census covered
     * @return commands sent by clients, and commands run inside scripts
     */
    ComparisonResult.Census finish(long operations) {
        awaitMarker(END_MARKER, this.ended);
        close();
        return new ComparisonResult.Census(operations, Map.copyOf(this.sentByClients), Map.copyOf(this.runByScripts));
    }

    private void awaitMarker(String marker, CountDownLatch seen) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MARKER_TIMEOUT_SECONDS);
        try (Jedis sender = RedisCommandStats.connect(this.host, this.port)) {
            do {
                sender.echo(marker);
                if (seen.await(50, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
            while (System.nanoTime() - deadline < 0);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        throw new IllegalStateException("The MONITOR stream did not show the marker " + marker);
    }

    private void read() {
        try {
            this.monitor.monitor(new JedisMonitor() {

                @Override
                public void onCommand(String line) {
                    count(line);
                }

            });
        }
        catch (JedisException ex) {
            // Closed by finish() or close().
        }
    }

    private void count(String line) {
        // 1700000000.123456 [0 127.0.0.1:51234] "evalsha" "..." ...   or   [0 lua] "hget" ...
        int open = line.indexOf('[');
        int close = line.indexOf(']', open);
        int quote = line.indexOf('"', close);
        if (open < 0 || close < 0 || quote < 0 || this.ended.getCount() == 0) {
            return;
        }
        String source = line.substring(open + 1, close);
        int endQuote = line.indexOf('"', quote + 1);
        String command = line.substring(quote + 1, endQuote).toLowerCase(Locale.ROOT);
        if (command.equals("echo")) {
            (line.contains(END_MARKER) ? this.ended : this.started).countDown();
            return;
        }
        if (this.started.getCount() > 0 || RedisCommandStats.isHousekeeping(command)) {
            return;
        }
        boolean fromScript = source.endsWith(" lua");
        (fromScript ? this.runByScripts : this.sentByClients).merge(command, 1L, Long::sum);
    }

    @Override
    public void close() {
        this.monitor.close();
    }

}
