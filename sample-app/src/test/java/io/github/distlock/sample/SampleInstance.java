package io.github.distlock.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.distlock.testservers.ChildJvm;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.LocalProcess;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample application running in a JVM of its own, started by a test on a free loopback port, driven over its
 * REST API, and paused, resumed or killed through its own PID.
 *
 * <p>Not thread-safe for starting and stopping; its request methods may be called from any thread.
 */
final class SampleInstance implements AutoCloseable {

    static final JsonMapper json = JsonMapper.builder().build();

    private static final HttpClient http = HttpClient.newHttpClient();

    private final String name;

    private final int port;

    private final LocalProcess process;

    private SampleInstance(String name, int port, LocalProcess process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts an instance; {@link #awaitReady()} waits until it answers.
     * @param name the instance name, recorded with its charges
     * @param directory where its log goes
     * @param properties application properties, as {@code --name=value} arguments
     * @return the starting instance
     */
    static SampleInstance start(String name, Path directory, Map<String, String> properties) {
        int port = FreePorts.next();
        List<String> arguments = new ArrayList<>(List.of("--server.port=" + port, "--server.address=127.0.0.1",
                "--sample.instance-name=" + name));
        properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        try {
            Files.createDirectories(directory);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        // Quick start-up over peak speed: these JVMs live for seconds.
        List<String> jvmOptions = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xss512k");
        return new SampleInstance(name, port,
                ChildJvm.start(jvmOptions, SampleApplication.class, arguments, directory, name + ".log"));
    }

    /**
     * Starts an instance and waits until it answers; an instance that does not come up is stopped.
     * @return the instance, ready
     */
    static SampleInstance startReady(String name, Path directory, Map<String, String> properties) {
        SampleInstance instance = start(name, directory, properties);
        try {
            return instance.awaitReady();
        }
        catch (RuntimeException | Error ex) {
            instance.close();
            throw ex;
        }
    }

    /**
     * Waits until the instance reports itself healthy.
     * @return this instance
     */
    SampleInstance awaitReady() {
        await("start-up of " + this.name).atMost(TestTimings.STARTUP).pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .until(() -> {
                assertThat(this.process.isAlive()).as("%s exited at start-up:%n%s", this.name, this.process.logTail())
                    .isTrue();
                return get("/actuator/health").statusCode() == 200;
            });
        return this;
    }

    String name() {
        return this.name;
    }

    boolean isAlive() {
        return this.process.isAlive();
    }

    /**
     * Creates an order.
     * @return its id
     */
    String createOrder() {
        HttpResponse<String> response = send(request("/api/orders").POST(HttpRequest.BodyPublishers.ofString("{}"))
            .header("Content-Type", "application/json"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json.readTree(response.body()).get("id").asString();
    }

    /**
     * Sends a checkout without waiting for the answer.
     * @param orderId the order
     * @return the answer, when it comes
     */
    CompletableFuture<HttpResponse<String>> checkoutAsync(String orderId) {
        return http.sendAsync(request("/api/orders/" + orderId + "/checkout")
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Reads the ledger's charges of one order.
     * @param orderId the order
     * @return the charges
     */
    List<JsonNode> charges(String orderId) {
        HttpResponse<String> response = get("/api/ledger?orderId=" + orderId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> charges = new ArrayList<>();
        json.readTree(response.body()).forEach(charges::add);
        return charges;
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    /**
     * Waits for a line of the instance's log that matches the pattern.
     * @param pattern the pattern
     * @return the match
     */
    Matcher awaitLog(Pattern pattern) {
        return await("log line " + pattern + " of " + this.name).atMost(TestTimings.REQUEST)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> find(pattern), matcher -> matcher != null);
    }

    private Matcher find(Pattern pattern) throws IOException {
        for (String line : Files.readAllLines(this.process.log())) {
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return matcher;
            }
        }
        return null;
    }

    /** Stops the JVM with SIGSTOP: it keeps its connections and its lock, but does nothing. */
    void pause() {
        this.process.signal("STOP");
    }

    /** Lets a paused JVM continue (SIGCONT). */
    void resume() {
        this.process.signal("CONT");
    }

    /** Kills the JVM with SIGKILL: no shutdown, no release. */
    void kill() {
        this.process.kill();
    }

    String logTail() {
        return this.process.logTail();
    }

    @Override
    public void close() {
        if (this.process.isAlive()) {
            // A paused JVM would not die from SIGTERM; SIGKILL ends it whatever its state.
            this.process.kill();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
            .timeout(TestTimings.REQUEST);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
