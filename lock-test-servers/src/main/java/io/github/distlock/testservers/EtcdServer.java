package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A real one-member etcd for one test: started from the installed {@code etcd} (Debian: {@code apt-get install -y
 * etcd-server}) on free loopback client and peer ports, with its own data directory. The test can kill it, pause it
 * (SIGSTOP) and restart it on the same ports with its data kept, so revisions carry on.
 *
 * <p>Started with a 50 ms heartbeat and a 500 ms election timeout, so the shortest lease etcd grants is 1 s (etcd
 * raises a TTL below 1.5 election timeouts).
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class EtcdServer implements AutoCloseable {

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/etcd"), Path.of("/usr/local/bin/etcd"));

    private final Path binary;

    private final Path directory;

    private final int clientPort;

    private final int peerPort;

    private @Nullable LocalProcess process;

    private EtcdServer(Path binary, Path directory, int clientPort, int peerPort) {
        this.binary = binary;
        this.directory = directory;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
    }

    /**
     * Starts a member on free loopback ports and waits until it reports itself healthy.
     * @return the running server
     */
    public static EtcdServer start() {
        Path binary = binary();
        int clientPort = FreePorts.next();
        int peerPort = FreePorts.next();
        try {
            EtcdServer server = new EtcdServer(binary, Files.createTempDirectory("distlock-etcd-" + clientPort),
                    clientPort, peerPort);
            server.launch();
            return server;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Returns whether an etcd binary is installed where this class looks for one.
     * @return whether {@link #start()} can find the server
     */
    public static boolean isInstalled() {
        return CANDIDATES.stream().anyMatch(Files::isExecutable);
    }

    private static Path binary() {
        return CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                "No etcd server is installed (looked for " + CANDIDATES + "); on Debian: apt-get install -y etcd-server"));
    }

    /**
     * Returns the client URL, for jetcd's endpoints.
     * @return {@code http://127.0.0.1:<port>}
     */
    public String endpoint() {
        return "http://127.0.0.1:" + this.clientPort;
    }

    /**
     * Returns the client port.
     * @return the port
     */
    public int port() {
        return this.clientPort;
    }

    /**
     * Returns the PID of the running process.
     * @return the PID
     */
    public long pid() {
        return running().pid();
    }

    /**
     * Kills the member with SIGKILL; its data directory stays, for {@link #restart()}.
     */
    public void kill() {
        if (this.process != null) {
            this.process.kill();
            this.process = null;
        }
    }

    /**
     * Starts the member again on the same ports and data directory after {@link #kill()} (or kills it first).
     */
    public void restart() {
        kill();
        launch();
    }

    /**
     * Stops the member with SIGSTOP: it keeps its connections but answers nothing.
     */
    public void pause() {
        running().signal("STOP");
    }

    /**
     * Lets a paused member continue (SIGCONT).
     */
    public void resume() {
        running().signal("CONT");
    }

    @Override
    public void close() {
        kill();
        LocalProcess.deleteRecursively(this.directory);
    }

    private LocalProcess running() {
        if (this.process == null) {
            throw new IllegalStateException("etcd on port " + this.clientPort + " is not running");
        }
        return this.process;
    }

    private void launch() {
        String client = "http://127.0.0.1:" + this.clientPort;
        String peer = "http://127.0.0.1:" + this.peerPort;
        List<String> command = List.of(this.binary.toString(), "--name", "member0",
                "--data-dir", this.directory.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "member0=" + peer, "--initial-cluster-state", "new",
                "--heartbeat-interval", "50", "--election-timeout", "500",
                "--logger", "zap", "--log-level", "warn");
        this.process = LocalProcess.start(command, this.directory, "etcd-" + this.clientPort + ".log");
        awaitHealthy(this.process);
    }

    private void awaitHealthy(LocalProcess started) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
            .timeout(Duration.ofSeconds(1))
            .build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IllegalStateException("etcd on port " + this.clientPort + " exited at start:\n"
                        + started.logTail());
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
                    return;
                }
            }
            catch (IOException ex) {
                last = ex;
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            Pause.of(Duration.ofMillis(50));
        }
        started.kill();
        throw new IllegalStateException("etcd on port " + this.clientPort + " was not healthy within "
                + STARTUP_TIMEOUT + ":\n" + started.logTail(), last);
    }

}
