package io.github.distlock.testservers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A real one-member etcd for one test: started from the installed {@code etcd} (Debian: {@code apt-get install -y
 * etcd-server}) on free loopback client and peer ports, with its own data directory. The test can kill it, pause it
 * (SIGSTOP) and restart it on the same ports with its data kept, so revisions carry on; a restart kills it first.
 * {@link #startWithTls} serves clients over TLS with certificates made for the test.
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

    private final String memberName;

    // The --initial-cluster of the member's first start; etcd reads it only while the data directory is empty.
    private final String initialCluster;

    private final boolean clusterMember;

    // Serves clients over TLS with these when set.
    private final @Nullable TestCertificates certificates;

    private final HttpClient http;

    private EtcdServer(Path binary, Path directory, int clientPort, int peerPort, String memberName,
            String initialCluster, boolean clusterMember, @Nullable TestCertificates certificates) {
        super("etcd", directory, clientPort, STARTUP_TIMEOUT, Duration.ofMillis(50));
        this.binary = binary;
        this.peerPort = peerPort;
        this.memberName = memberName;
        this.initialCluster = initialCluster;
        this.clusterMember = clusterMember;
        this.certificates = certificates;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
        if (certificates != null) {
            http.sslContext(certificates.clientContext());
        }
        this.http = http.build();
    }

    /**
     * Starts a member on free loopback ports and waits until it reports itself healthy.
     * @return the running server
     */
    public static EtcdServer start() {
        Path binary = binary();
        int clientPort = FreePorts.next();
        int peerPort = FreePorts.next();
        return startIn("distlock-etcd-" + clientPort, directory -> new EtcdServer(binary, directory, clientPort,
                peerPort, "member0", "member0=" + peerUrl(peerPort), false, null));
    }

    /**
     * Starts a member that serves clients over TLS only, with the server certificate of the given set (it names
     * {@code 127.0.0.1} and {@code localhost}); {@link #endpoint()} is then an https URL.
     * @param certificates the CA and server certificate made for the test
     * @return the running server
     */
    public static EtcdServer startWithTls(TestCertificates certificates) {
        Path binary = binary();
        int clientPort = FreePorts.next();
        int peerPort = FreePorts.next();
        return startIn("distlock-etcd-" + clientPort, directory -> new EtcdServer(binary, directory, clientPort,
                peerPort, "member0", "member0=" + peerUrl(peerPort), false, certificates));
    }

    /**
     * Starts one member of a new cluster: it answers once it listens, before the cluster has a quorum, so that the
     * caller can start the other members; {@link EtcdCluster} waits for the quorum.
     * @param clientPort the member's client port
     * @param peerPort the member's peer port
     * @param memberName the member's name in {@code initialCluster}
     * @param initialCluster every member, as {@code name=http://127.0.0.1:<peer port>,...}
     * @return the running member
     */
    static EtcdServer startMember(int clientPort, int peerPort, String memberName, String initialCluster) {
        Path binary = binary();
        return startIn("distlock-etcd-" + clientPort, directory -> new EtcdServer(binary, directory, clientPort,
                peerPort, memberName, initialCluster, true, null));
    }

    static String peerUrl(int peerPort) {
        return "http://127.0.0.1:" + peerPort;
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
        return ((this.certificates != null) ? "https" : "http") + "://127.0.0.1:" + port();
    }

    @Override
    List<String> serverCommand() {
        String client = endpoint();
        String peer = peerUrl(this.peerPort);
        List<String> command = List.of(this.binary.toString(), "--name", this.memberName,
                "--data-dir", directory().resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", this.initialCluster, "--initial-cluster-state", "new",
                "--heartbeat-interval", "50", "--election-timeout", "500",
                "--logger", "zap", "--log-level", "warn");
        if (this.certificates == null) {
            return command;
        }
        List<String> withTls = new ArrayList<>(command);
        withTls.addAll(List.of("--cert-file", this.certificates.serverCertificate().toString(),
                "--key-file", this.certificates.serverKey().toString()));
        return withTls;
    }

    /**
     * Whether the member answers: a single member once it reports itself healthy, which it does once it has elected
     * itself leader; a cluster member once it serves its version, which it does before there is a quorum.
     */
    @Override
    boolean answers() throws IOException, InterruptedException {
        if (this.clusterMember) {
            return get("/version").statusCode() == 200;
        }
        return isHealthy();
    }

    /**
     * Returns whether the member reports itself healthy: it is part of a quorum that has a leader.
     * @return whether {@code /health} says so
     * @throws IOException if the member does not answer
     * @throws InterruptedException if interrupted while asking
     */
    public boolean isHealthy() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/health");
        return response.statusCode() == 200 && response.body().contains("\"health\":\"true\"");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint() + path))
            .timeout(Duration.ofSeconds(1))
            .build();
        return this.http.send(request, HttpResponse.BodyHandlers.ofString());
    }

}
