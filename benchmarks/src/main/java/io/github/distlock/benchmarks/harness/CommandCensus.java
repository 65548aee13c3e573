package io.github.distlock.benchmarks.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.distlock.testservers.RespConnection;

/**
 * Tells the commands clients sent from those Lua scripts ran, which {@code INFO commandstats} counts together.
 * It reads Redis's {@code MONITOR} stream, where every command is tagged with its source: a client address, or
 * {@code lua} for a command run by a script. MONITOR slows the server down, so a census runs apart from the timed
 * passes. Housekeeping commands are left out as in {@link RedisCommandStats}. Used by one thread.
 */
final class CommandCensus implements AutoCloseable {

    private static final String END_MARKER = "distlock-census-end";

    private final String host;

    private final int port;

    private final Socket socket;

    private final Map<String, Long> sentByClients = new TreeMap<>();

    private final Map<String, Long> runByScripts = new TreeMap<>();

    private final CountDownLatch ended = new CountDownLatch(1);

    private CommandCensus(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.socket = new Socket();
        this.socket.connect(new InetSocketAddress(host, port), 5000);
    }

    /**
     * Starts monitoring the server.
     * @param host the host
     * @param port the port
     * @return the running census
     */
    static CommandCensus start(String host, int port) {
        try {
            CommandCensus census = new CommandCensus(host, port);
            census.socket.getOutputStream().write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(census.socket.getInputStream());
            String ok = readLine(in);
            if (!ok.equals("+OK")) {
                throw new IllegalStateException("MONITOR answered " + ok);
            }
            Thread reader = new Thread(() -> census.count(in), "bench-monitor");
            reader.setDaemon(true);
            reader.start();
            return census;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot monitor Redis at " + host + ":" + port, ex);
        }
    }

    /**
     * Waits until every command sent so far has been seen and stops monitoring.
     * @param operations the lock operations the census covered
     * @return commands sent by clients, and commands run inside scripts
     */
    ComparisonResult.Census finish(long operations) {
        try (RespConnection marker = new RespConnection(this.host, this.port, 5000)) {
            marker.call("ECHO", END_MARKER);
        }
        try {
            if (!this.ended.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("The MONITOR stream did not reach the end marker");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        close();
        return new ComparisonResult.Census(operations, Map.copyOf(this.sentByClients), Map.copyOf(this.runByScripts));
    }

    private void count(InputStream in) {
        try {
            while (true) {
                String line = readLine(in);
                // +1700000000.123456 [0 127.0.0.1:51234] "evalsha" "..." ...   or   [0 lua] "hget" ...
                int open = line.indexOf('[');
                int close = line.indexOf(']', open);
                int quote = line.indexOf('"', close);
                if (open < 0 || close < 0 || quote < 0) {
                    continue;
                }
                String source = line.substring(open + 1, close);
                int endQuote = line.indexOf('"', quote + 1);
                String command = line.substring(quote + 1, endQuote).toLowerCase(Locale.ROOT);
                if (command.equals("echo") && line.contains(END_MARKER)) {
                    this.ended.countDown();
                    return;
                }
                if (RedisCommandStats.isHousekeeping(command)) {
                    continue;
                }
                boolean fromScript = source.endsWith(" lua");
                (fromScript ? this.runByScripts : this.sentByClients).merge(command, 1L, Long::sum);
            }
        }
        catch (IOException | RuntimeException ex) {
            // Closed by finish() or close().
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int previous = -1;
        while (true) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("MONITOR connection closed");
            }
            if (previous == '\r' && next == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(next);
            previous = next;
        }
    }

    @Override
    public void close() {
        try {
            this.socket.close();
        }
        catch (IOException ex) {
            // Nothing to do.
        }
    }

}
