package io.github.distlock.testservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a free loopback port in front of a server, for fault tests: it forwards every connection, and on
 * {@link #stallOpenConnections()} stops forwarding on the connections open at that moment while keeping them open,
 * as a half-open connection behind a dead network path would look (no reset, no data, nothing closed); or stalls one
 * chosen connection ({@link #stallConnectionSeenByTheServerFrom}). Connections made afterwards are forwarded
 * normally. {@link #delayForwarding} holds every chunk of every connection for a while before forwarding it, as a slow
 * network path would, {@link #delayForwarding(Duration, Duration)} with a random jitter, and
 * {@link #stallChunksAtRandom} holds an occasional chunk longer, as a retransmission after a lost packet would (a TCP
 * proxy cannot lose bytes without breaking the stream). {@link #blackhole} cuts the path altogether for a while: open
 * connections and new ones alike forward nothing, as behind a network partition. {@link #dropReplies} forwards
 * requests but throws the server's replies away, as a path that loses only its return traffic would. Only loopback
 * addresses are involved.
 *
 * <p>Thread-safe; its threads are daemons and end with {@link #close()}.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listening;

    private final InetSocketAddress target;

    private final List<Link> links = new CopyOnWriteArrayList<>();

    private volatile boolean closed;

    // Set by the test thread; read by the pumps before each chunk they forward.
    private volatile long delayNanos;

    private volatile long jitterNanos;

    private volatile double stallProbability;

    private volatile long stallNanos;

    // While set, new connections start stalled; the links stalled by the blackhole are dropped when it ends.
    private volatile boolean blackholed;

    private volatile boolean droppingReplies;

    private final AtomicLong repliesDropped = new AtomicLong();

    private TcpProxy(ServerSocket listening, InetSocketAddress target) {
        this.listening = listening;
        this.target = target;
    }

    /**
     * Starts a proxy in front of a loopback port.
     * @param targetPort the port of the server on 127.0.0.1
     * @return the running proxy
     */
    public static TcpProxy start(int targetPort) {
        try {
            ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            TcpProxy proxy = new TcpProxy(listening,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
            Thread acceptor = new Thread(proxy::accept, "tcp-proxy-accept-" + listening.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot start a proxy in front of port " + targetPort, ex);
        }
    }

    /**
     * Returns the port clients connect to.
     * @return the proxy's port on 127.0.0.1
     */
    public int port() {
        return this.listening.getLocalPort();
    }

    /**
     * Stops forwarding in both directions on every connection open now; they stay open.
     * @return how many connections were stalled
     */
    public int stallOpenConnections() {
        int stalled = 0;
        for (Link link : this.links) {
            if (!link.stalled) {
                link.stalled = true;
                stalled++;
            }
        }
        return stalled;
    }

    /**
     * Stops forwarding on the one connection whose proxy-to-server side uses the given local port (the port the
     * server sees as the client's, for example in Redis {@code CLIENT LIST}); it stays open.
     * @param upstreamLocalPort the port of the proxy's socket towards the server
     * @return whether such a connection was open
     */
    public boolean stallConnectionSeenByTheServerFrom(int upstreamLocalPort) {
        for (Link link : this.links) {
            if (link.server.getLocalPort() == upstreamLocalPort) {
                link.stalled = true;
                return true;
            }
        }
        return false;
    }

    /**
     * Holds every chunk read from then on, in both directions and on every connection, for the given time before
     * forwarding it; {@link Duration#ZERO} forwards at once again. Chunks keep their order.
     * @param delay how long each chunk is held
     */
    public void delayForwarding(Duration delay) {
        delayForwarding(delay, Duration.ZERO);
    }

    /**
     * Holds every chunk read from then on, in both directions and on every connection, for the given time plus or
     * minus a random jitter (uniform, drawn per chunk) before forwarding it; {@link Duration#ZERO} twice forwards at
     * once again. Chunks keep their order: a connection's chunks are held one after the other, as on a slow path.
     * @param delay how long each chunk is held on average
     * @param jitter how much longer or shorter a chunk may be held (at most {@code delay})
     */
    public void delayForwarding(Duration delay, Duration jitter) {
        if (jitter.compareTo(delay) > 0) {
            throw new IllegalArgumentException("A jitter of " + jitter + " is larger than the delay " + delay);
        }
        this.jitterNanos = jitter.toNanos();
        this.delayNanos = delay.toNanos();
    }

    /**
     * Holds a chunk, drawn at random with the given probability, for an extra while before forwarding it (after any
     * {@link #delayForwarding delay}), in both directions: what a lost packet costs on a TCP connection, which
     * retransmits it; a probability of {@code 0} stops it.
     * @param probability the chance of each chunk to be held, from {@code 0} to {@code 1}
     * @param stall how long the extra hold is
     */
    public void stallChunksAtRandom(double probability, Duration stall) {
        if (probability < 0 || probability > 1) {
            throw new IllegalArgumentException("Not a probability: " + probability);
        }
        this.stallNanos = stall.toNanos();
        this.stallProbability = probability;
    }

    /**
     * Cuts the path, or heals it: while cut, the connections open at that moment and every connection made since
     * forward nothing in either direction and stay open (a new connection is accepted, as the operating system's
     * backlog would, but nothing reaches the server), as behind a network partition. When the path heals, the
     * connections held by the cut are closed, as their ends would have given up on them by then (a held request is
     * never delivered late), and new connections are forwarded normally again. Connections stalled by
     * {@link #stallOpenConnections} stay stalled.
     * @param cut whether the path is cut from now on
     * @return how many connections the cut holds (on cutting) or closed (on healing)
     */
    public int blackhole(boolean cut) {
        int affected = 0;
        if (cut) {
            this.blackholed = true;
            for (Link link : this.links) {
                if (!link.stalled) {
                    link.stalled = true;
                    link.blackholed = true;
                    affected++;
                }
            }
            return affected;
        }
        this.blackholed = false;
        for (Link link : this.links) {
            if (link.blackholed) {
                link.drop();
                affected++;
            }
        }
        return affected;
    }

    /**
     * Starts or stops throwing away the server's replies: requests are still forwarded (the server executes them),
     * but what the server answers on a connection open during the window never reaches the client. A connection that
     * lost a reply loses every later one too, even after the window, so that a client never reads a reply meant for
     * an earlier request; it times out and closes the connection, and its new connections work again once the window
     * is over.
     * @param drop whether replies are dropped from now on
     */
    public void dropReplies(boolean drop) {
        this.droppingReplies = drop;
    }

    /**
     * Returns how many chunks of replies {@link #dropReplies} threw away so far.
     * @return the count, over every connection
     */
    public long repliesDropped() {
        return this.repliesDropped.get();
    }

    /**
     * Closes the proxy and every connection through it.
     */
    @Override
    public void close() {
        this.closed = true;
        closeQuietly(this.listening);
        this.links.forEach(Link::close);
    }

    private void accept() {
        while (!this.closed) {
            Socket client;
            try {
                client = this.listening.accept();
            }
            catch (IOException ex) {
                if (!this.closed) {
                    continue;
                }
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(this.target, 2000);
            }
            catch (IOException ex) {
                // A refused connection to the target (a stopped server): the client sees its connection closed at
                // once, as it would without the proxy, instead of waiting for its read timeout.
                closeQuietly(server);
                closeQuietly(client);
                continue;
            }
            Link link = new Link(client, server);
            if (this.blackholed) {
                link.stalled = true;
                link.blackholed = true;
            }
            this.links.add(link);
            link.start();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        }
        catch (Exception ex) {
            // Closing is best effort in a test fixture.
        }
    }

    /** One proxied connection: two pumps, one per direction. */
    private final class Link {

        private final Socket client;

        private final Socket server;

        // Set by the test thread; once set, the pumps forward nothing more.
        volatile boolean stalled;

        // Stalled by a blackhole, and so dropped when it heals.
        volatile boolean blackholed;

        // Set when the blackhole heals: the pumps end and the connection closes.
        volatile boolean dropped;

        // Set by the downstream pump once it threw a reply away: the stream is out of step from then on.
        volatile boolean lostAReply;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            pump(this.client, this.server, "up");
            pump(this.server, this.client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int read;
                    while ((read = in.read(buffer)) >= 0) {
                        while (this.stalled && !this.dropped && !TcpProxy.this.closed) {
                            // Hold what was read and read nothing more: the peer's bytes pile up unanswered.
                            Thread.sleep(50);
                        }
                        if (this.dropped) {
                            return;
                        }
                        long delay = TcpProxy.this.delayNanos;
                        long jitter = TcpProxy.this.jitterNanos;
                        if (jitter > 0) {
                            delay += ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
                        }
                        if (ThreadLocalRandom.current().nextDouble() < TcpProxy.this.stallProbability) {
                            delay += TcpProxy.this.stallNanos;
                        }
                        if (delay > 0) {
                            TimeUnit.NANOSECONDS.sleep(delay);
                        }
                        if (TcpProxy.this.closed) {
                            return;
                        }
                        if (from == this.server && (this.lostAReply || TcpProxy.this.droppingReplies)) {
                            this.lostAReply = true;
                            TcpProxy.this.repliesDropped.incrementAndGet();
                            continue;
                        }
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
                catch (IOException | InterruptedException ex) {
                    // The connection ended.
                }
                finally {
                    if (!this.stalled || this.dropped) {
                        close();
                    }
                }
            }, "tcp-proxy-" + direction + "-" + from.getPort());
            thread.setDaemon(true);
            thread.start();
        }

        void drop() {
            this.dropped = true;
            close();
            TcpProxy.this.links.remove(this);
        }

        void close() {
            closeQuietly(this.client);
            closeQuietly(this.server);
        }

    }

}
