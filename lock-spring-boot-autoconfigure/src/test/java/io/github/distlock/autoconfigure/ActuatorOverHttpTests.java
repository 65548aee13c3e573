package io.github.distlock.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code distributedlocks} endpoint and the {@code distributedLock} health over real HTTP, in a web application
 * on a random port whose locks are in a real, password-protected {@code redis-server}: a held lock is listed with its
 * fencing token until it is released, the health follows the server down and up, and no response carries the
 * password.
 */
class ActuatorOverHttpTests {

    private static final String PASSWORD = "ops-s3cret-" + UUID.randomUUID();

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static RedisServer redis;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<String> responses = new ArrayList<>();

    private ConfigurableApplicationContext application;

    private int port;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start("--requirepass", PASSWORD);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void startApplication() {
        this.application = new SpringApplicationBuilder(WebApplication.class).web(WebApplicationType.SERVLET)
            .properties("server.port=0", "server.address=127.0.0.1", "distributed-lock.backend=redis",
                    "distributed-lock.redis.url=redis://:" + PASSWORD + "@127.0.0.1:" + redis.port(),
                    "distributed-lock.redis.timeout=500ms", "distributed-lock.redis.connect-timeout=500ms",
                    "management.endpoints.web.exposure.include=health,distributedlocks",
                    "management.endpoint.health.show-details=always", "management.health.redis.enabled=false")
            .run();
        this.port = ((WebServerApplicationContext) this.application).getWebServer().getPort();
    }

    @AfterEach
    void stopApplication() {
        if (this.application != null) {
            this.application.close();
        }
        assertThat(this.responses).isNotEmpty().noneMatch((body) -> body.contains(PASSWORD));
    }

    @Test
    void aHeldLockIsListedWithItsFencingTokenUntilItIsReleased() throws Exception {
        LockClient client = this.application.getBean(LockClient.class);
        String key = "orders:" + UUID.randomUUID();
        Lease lease = client.tryAcquire(LockRequest.of(key, Duration.ofSeconds(30)).withName("orders")).orElseThrow();
        HttpResponse<String> held = get("/actuator/distributedlocks");
        assertThat(held.statusCode()).isEqualTo(200);
        assertThat(held.body()).contains("\"key\":\"" + key + "\"", "\"name\":\"orders\"",
                "\"fencingToken\":" + lease.fencingToken().getAsLong(), "\"backend\":\"redis\"", "\"heldSince\"",
                "\"validityLeftMillis\"", "\"renewals\"", "\"autoRenew\":true", "\"keyPrefix\":\"distlock:\"");
        assertThat(held.body()).doesNotContain(lease.ownerToken());
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                client.acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(PATIENCE)).release();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(PATIENCE)
            .until(() -> get("/actuator/distributedlocks").body().contains("\"waiters\":{\"" + key + "\":1}"));
        lease.release();
        waiter.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(get("/actuator/distributedlocks").body()).doesNotContain(key)
            .contains("\"leases\":[]", "\"waiters\":{}");
    }

    @Test
    void theHealthIsDownWhileRedisIsStoppedAndUpWhenItReturns() throws Exception {
        assertThat(get("/actuator/health/distributedLock").body()).contains("\"status\":\"UP\"");
        redis.kill();
        try {
            HttpResponse<String> down = get("/actuator/health/distributedLock");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"status\":\"DOWN\"", "\"reason\"", "\"backend\":\"redis\"");
        }
        finally {
            redis.restart();
        }
        await().atMost(PATIENCE)
            .until(() -> get("/actuator/health/distributedLock").body().contains("\"status\":\"UP\""));
        assertThat(get("/actuator/health").body()).contains("\"distributedLock\"");
    }

    @Test
    void theEndpointIsNotOnTheWebUnlessExposed() throws Exception {
        this.application.close();
        this.application = new SpringApplicationBuilder(WebApplication.class).web(WebApplicationType.SERVLET)
            .properties("server.port=0", "server.address=127.0.0.1", "distributed-lock.backend=redis",
                    "distributed-lock.redis.url=redis://:" + PASSWORD + "@127.0.0.1:" + redis.port(),
                    "management.health.redis.enabled=false")
            .run();
        this.port = ((WebServerApplicationContext) this.application).getWebServer().getPort();
        assertThat(get("/actuator/distributedlocks").statusCode()).isEqualTo(404);
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + this.port + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        this.responses.add(response.body());
        return response;
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {

    }

}
