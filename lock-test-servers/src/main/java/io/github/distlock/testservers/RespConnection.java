package io.github.distlock.testservers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A minimal Redis protocol (RESP2) connection for tests: sends a command, reads one reply. It lets the test kit
 * start, check and set up Redis servers (PING, INFO, CLUSTER, ACL) without depending on a Redis client library.
 * Not thread-safe.
 */
public final class RespConnection implements AutoCloseable {

    private final Socket socket;

    private final OutputStream out;

    private final InputStream in;

    /**
     * Connects to a Redis server.
     * @param host the host
     * @param port the port
     * @param timeoutMillis connect and read timeout
     */
    public RespConnection(String host, int port, int timeoutMillis) {
        try {
            this.socket = new Socket();
            this.socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            this.socket.setSoTimeout(timeoutMillis);
            this.out = this.socket.getOutputStream();
            this.in = new BufferedInputStream(this.socket.getInputStream());
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot connect to Redis at " + host + ":" + port, ex);
        }
    }

    /**
     * Sends a command and returns its reply: a {@code String} for simple and bulk strings, a {@code Long} for
     * integers, a {@code List} for arrays, {@code null} for nil.
     * @param arguments the command and its arguments
     * @return the reply
     * @throws RespError if the server answered with an error
     */
    public @Nullable Object call(String... arguments) {
        try {
            ByteArrayOutputStream command = new ByteArrayOutputStream();
            command.write(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            for (String argument : arguments) {
                byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
                command.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                command.write(bytes);
                command.write("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            this.out.write(command.toByteArray());
            this.out.flush();
            return readReply();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Redis command " + arguments[0] + " failed", ex);
        }
    }

    /**
     * Sends a command whose reply is a string.
     * @param arguments the command and its arguments
     * @return the reply as a string, or {@code null} for nil
     */
    public @Nullable String callForString(String... arguments) {
        Object reply = call(arguments);
        return (reply != null) ? reply.toString() : null;
    }

    private @Nullable Object readReply() throws IOException {
        int type = this.in.read();
        if (type < 0) {
            throw new IOException("Connection closed by Redis");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RespError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = this.in.readNBytes(length + 2);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<@Nullable Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(readReply());
                }
                return items;
            }
            default:
                throw new IOException("Unexpected RESP type '" + (char) type + "'");
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int next = this.in.read();
            if (next < 0) {
                throw new IOException("Connection closed by Redis");
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
            // Closing a test connection: nothing to do.
        }
    }

    /**
     * An error reply from Redis.
     */
    public static final class RespError extends RuntimeException {

        private static final long serialVersionUID = 1L;

        RespError(String message) {
            super(message);
        }

    }

}
