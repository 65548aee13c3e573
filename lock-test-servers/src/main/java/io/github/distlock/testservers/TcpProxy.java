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
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on a free loopback port in front of a server, for fault tests: it forwards every connection, and on
 * {@link #stallOpenConnections()} stops forwarding on the connections open at that moment while keeping them open,
 * as a half-open connection behind a dead network path would look (no reset, no data, nothing closed); or stalls one
 * chosen connection ({@link #stallConnectionSeenByTheServerFrom}). Connections made afterwards are forwarded
 * normally. {@link #delayForwarding} holds every chunk of every connection for a while before forwarding it, as a slow
 * network path would. Only loopback addresses are involved.
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
        this.delayNanos = delay.toNanos();
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
                        while (this.stalled && !TcpProxy.this.closed) {
                            // Hold what was read and read nothing more: the peer's bytes pile up unanswered.
                            Thread.sleep(50);
                        }
                        long delay = TcpProxy.this.delayNanos;
                        if (delay > 0) {
                            TimeUnit.NANOSECONDS.sleep(delay);
                        }
                        if (TcpProxy.this.closed) {
                            return;
                        }
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
                catch (IOException | InterruptedException ex) {
                    // The connection ended.
                }
                finally {
                    if (!this.stalled) {
                        close();
                    }
                }
            }, "tcp-proxy-" + direction + "-" + from.getPort());
            thread.setDaemon(true);
            thread.start();
        }

        void close() {
            closeQuietly(this.client);
            closeQuietly(this.server);
        }

    }

}
