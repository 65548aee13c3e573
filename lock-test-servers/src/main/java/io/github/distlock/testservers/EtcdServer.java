package io.github.distlock.testservers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real one-member etcd for one test: started from the installed {@code etcd} (Debian: {@code apt-get install -y
 * etcd-server}) on free loopback client and peer ports, with its own data directory. The test can kill it, pause it
 * (SIGSTOP) and restart it on the same ports with its data kept, so revisions carry on; a restart kills it first.
 *
 * <p>Started with a 50 ms heartbeat and a 500 ms election timeout, so the shortest lease etcd grants is 1 s (etcd
 * raises a TTL below 1.5 election timeouts).
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class EtcdServer extends LocalServer {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/etcd"), Path.of("/usr/local/bin/etcd"));

    private final Path binary;

    private final int peerPort;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private EtcdServer(Path binary, Path directory, int clientPort, int peerPort) {
        super("etcd", directory, clientPort, STARTUP_TIMEOUT, Duration.ofMillis(50));
        this.binary = binary;
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
        return startIn("distlock-etcd-" + clientPort,
                directory -> new EtcdServer(binary, directory, clientPort, peerPort));
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
        return "http://127.0.0.1:" + port();
    }

    @Override
    List<String> serverCommand() {
        String client = endpoint();
        String peer = "http://127.0.0.1:" + this.peerPort;
        return List.of(this.binary.toString(), "--name", "member0",
                "--data-dir", directory().resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "member0=" + peer, "--initial-cluster-state", "new",
                "--heartbeat-interval", "50", "--election-timeout", "500",
                "--logger", "zap", "--log-level", "warn");
    }

    /** Whether the member reports itself healthy, which it does once it has elected itself leader. */
    @Override
    boolean answers() throws IOException, InterruptedException {
        HttpRequest health = HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
            .timeout(Duration.ofSeconds(1))
            .build();
        HttpResponse<String> response = this.http.send(health, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && response.body().contains("\"health\":\"true\"");
    }

}
