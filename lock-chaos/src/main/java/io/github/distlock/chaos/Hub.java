package io.github.distlock.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import io.github.distlock.chaos.HistoryEvent.Kind;

/**
 * The test JVM's side of a run: the fenced resource the workers write to, and the recorder of the history. It
 * listens on a loopback port; each worker thread has a connection of its own and waits for the answer to each line
 * it sends, so a worker that is paused sends nothing and a paused hub is impossible (it lives in the test JVM).
 *
 * <p>The resource keeps, per key, a counter value, the highest fencing token seen and the grant that brought it. A
 * read or a write is accepted when its token is higher than any seen on the key, or equal and from the same grant;
 * a request without a token (a worker that does not lock) is always accepted. Reads count as well as writes: a
 * grant that read with a higher token fences off an older holder's write that comes after it, which is what keeps a
 * stale holder's read-modify-write from being lost. Every request and its answer is recorded.
 *
 * <p>Thread-safe: every request is decided and recorded under one lock, so {@link HistoryEvent#seq()} is the order
 * in which the resource saw things.
 */
public final class Hub implements AutoCloseable {

    private final ServerSocket listening;

    private final long origin = System.nanoTime();

    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    // Guarded by this.
    private final List<HistoryEvent> history = new ArrayList<>();

    // Guarded by this.
    private final Map<String, KeyState> resource = new HashMap<>();

    // Guarded by this.
    private long seq;

    // Guarded by this: run once, on the connection thread of the next accepted read of the key, before the answer.
    private @Nullable String armedKey;

    private @Nullable Consumer<String> armedAction;

    private volatile boolean closed;

    private Hub(ServerSocket listening) {
        this.listening = listening;
    }

    /**
     * Starts a hub on a free loopback port.
     * @return the running hub
     */
    public static Hub start() {
        try {
            Hub hub = new Hub(new ServerSocket(0, 100, InetAddress.getLoopbackAddress()));
            Thread acceptor = new Thread(hub::accept, "chaos-hub-accept");
            acceptor.setDaemon(true);
            acceptor.start();
            return hub;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot open the hub's port", ex);
        }
    }

    /**
     * Returns the port the workers connect to.
     * @return the port on 127.0.0.1
     */
    public int port() {
        return this.listening.getLocalPort();
    }

    /**
     * Records a mark in the history (a fault struck, a fault healed).
     * @param name what happened
     * @return the mark
     */
    public synchronized HistoryEvent mark(String name) {
        return record(Kind.MARK, "test", "", "", null, 0, 0, name);
    }

    /**
     * Runs an action on the next accepted read of a key, before the reader gets its answer: the reader is then
     * inside its critical section, holding its lease, and blocked on this read, which makes it the moment to pause
     * or kill it. The action gets the reader's worker name.
     * @param keySuffix how the key ends (a run's keys start with the run's name)
     * @param action what to do with the reader
     */
    public synchronized void onNextReadEndingWith(String keySuffix, Consumer<String> action) {
        this.armedKey = keySuffix;
        this.armedAction = action;
    }

    /**
     * Returns the history recorded since the last call and starts a new one; the resource keeps its state.
     * @return the entries in the order they were recorded
     */
    public synchronized List<HistoryEvent> takeHistory() {
        List<HistoryEvent> taken = List.copyOf(this.history);
        this.history.clear();
        return taken;
    }

    /**
     * Returns the time now on the clock of the history ({@link HistoryEvent#hubNanos()}).
     * @return nanoseconds since the hub started
     */
    public long now() {
        return System.nanoTime() - this.origin;
    }

    @Override
    public void close() {
        this.closed = true;
        try {
            this.listening.close();
        }
        catch (IOException ex) {
            // Closing is best effort.
        }
        for (Socket connection : this.connections) {
            try {
                connection.close();
            }
            catch (IOException ex) {
                // Closing is best effort.
            }
        }
    }

    private void accept() {
        while (!this.closed) {
            try {
                Socket connection = this.listening.accept();
                connection.setTcpNoDelay(true);
                this.connections.add(connection);
                Thread serving = new Thread(() -> serve(connection), "chaos-hub-" + connection.getPort());
                serving.setDaemon(true);
                serving.start();
            }
            catch (IOException ex) {
                if (this.closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket connection) {
        try (connection;
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(connection.getOutputStream(), false, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.print(answer(line.split(" ")));
                out.print('\n');
                out.flush();
            }
        }
        catch (IOException | RuntimeException ex) {
            // The worker went away (killed, stopped); its history so far is recorded.
        }
        finally {
            this.connections.remove(connection);
        }
    }

    // Every line: <verb> <worker> <grant> <key> <token|-> <workerNanos> <argument> [detail...], where the verb is
    // EV (argument: the event's kind), READ (argument: -) or WRITE (argument: the value the grant read).
    private String answer(String[] words) {
        String worker = words[1];
        String grant = words[2];
        String key = words[3];
        Long token = "-".equals(words[4]) ? null : Long.valueOf(words[4]);
        long workerNanos = Long.parseLong(words[5]);
        String argument = words[6];
        String detail = (words.length > 7) ? String.join(" ", List.of(words).subList(7, words.length)) : "";
        Consumer<String> action = null;
        String answer;
        synchronized (this) {
            switch (words[0]) {
                case "EV" -> {
                    record(Kind.valueOf(argument), worker, grant, key, token, workerNanos, 0, detail);
                    answer = "OK";
                }
                case "READ" -> {
                    KeyState state = this.resource.computeIfAbsent(key, k -> new KeyState());
                    if (state.admits(grant, token)) {
                        record(Kind.READ, worker, grant, key, token, workerNanos, state.value, "");
                        answer = "OK " + state.value;
                        if (this.armedKey != null && key.endsWith(this.armedKey)) {
                            action = this.armedAction;
                            this.armedKey = null;
                            this.armedAction = null;
                        }
                    }
                    else {
                        record(Kind.READ_REJECTED, worker, grant, key, token, workerNanos, 0, state.describe());
                        answer = "REJECT";
                    }
                }
                case "WRITE" -> {
                    long readValue = Long.parseLong(argument);
                    KeyState state = this.resource.computeIfAbsent(key, k -> new KeyState());
                    if (state.admits(grant, token)) {
                        state.value = readValue + 1;
                        record(Kind.WRITE, worker, grant, key, token, workerNanos, readValue, "");
                        answer = "OK";
                    }
                    else {
                        record(Kind.WRITE_REJECTED, worker, grant, key, token, workerNanos, readValue,
                                state.describe());
                        answer = "REJECT";
                    }
                }
                default -> throw new IllegalArgumentException("Unknown request " + words[0]);
            }
        }
        if (action != null) {
            action.accept(worker);
        }
        return answer;
    }

    // Caller holds this.
    private HistoryEvent record(Kind kind, String worker, String grant, String key, @Nullable Long token,
            long workerNanos, long readValue, String detail) {
        HistoryEvent event = new HistoryEvent(++this.seq, System.nanoTime() - this.origin, kind, worker, grant, key,
                token, workerNanos, readValue, detail);
        this.history.add(event);
        return event;
    }

    /** The resource's state of one key. */
    private static final class KeyState {

        long value;

        @Nullable Long highestToken;

        String highestGrant = "";

        // Raises the highest token when the request is admitted.
        boolean admits(String grant, @Nullable Long token) {
            if (token == null) {
                return true;
            }
            if (this.highestToken == null || token > this.highestToken) {
                this.highestToken = token;
                this.highestGrant = grant;
                return true;
            }
            return token.longValue() == this.highestToken && grant.equals(this.highestGrant);
        }

        String describe() {
            return "highest=" + this.highestToken + " from " + this.highestGrant;
        }

    }

}
