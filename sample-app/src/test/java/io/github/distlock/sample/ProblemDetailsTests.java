package io.github.distlock.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every error of the REST API is an RFC 9457 problem detail with its own type.
 */
class ProblemDetailsTests {

    private static final HttpClient http = HttpClient.newHttpClient();

    private static InProcessSample sample;

    @BeforeAll
    static void start() {
        sample = InProcessSample.start(Map.of("distributed-lock.backend", "in-memory", "distributed-lock.wait-time",
                "300ms", "sample.payment-time", "0ms"));
    }

    @AfterAll
    static void stop() {
        sample.close();
    }

    @Test
    void unknownOrderIsOrderNotFound() throws Exception {
        JsonNode problem = problem(post("/api/orders/no-such-order/checkout", ""), 404, "order-not-found");
        assertThat(problem.get("orderId").asString()).isEqualTo("no-such-order");
        assertThat(problem.get("instance").asString()).isEqualTo("/api/orders/no-such-order/checkout");
    }

    @Test
    void checkoutOfAnOrderWhoseLockStaysHeldIsLockNotAcquired() throws Exception {
        String order = SampleInstance.json.readTree(post("/api/orders", "{}").body()).get("id").asString();
        LockClient locks = sample.context().getBean(LockClient.class);
        LockRequest request = LockRequest.of("sample:order:" + order, Duration.ofSeconds(30));
        try (Lease held = locks.tryAcquire(request).orElseThrow()) {
            JsonNode problem = problem(post("/api/orders/" + order + "/checkout", ""), 409, "lock-not-acquired");
            assertThat(problem.get("lockKey").asString()).isEqualTo(held.key());
        }
        assertThat(post("/api/orders/" + order + "/checkout", "").statusCode()).isEqualTo(200);
    }

    @Test
    void soldOutItemIsSoldOut() throws Exception {
        String item = SampleInstance.json.readTree(post("/api/items", "{\"stock\": 0}").body()).get("id").asString();
        problem(post("/api/items/" + item + "/purchases", "{\"buyer\": \"ann\"}"), 409, "sold-out");
    }

    @Test
    void invalidAmountIsABadRequestProblem() throws Exception {
        HttpResponse<String> response = post("/api/orders", "{\"amount\": -1}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(SampleInstance.json.readTree(response.body()).get("detail").asString())
            .contains("amount must be positive");
    }

    private static JsonNode problem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = SampleInstance.json.readTree(response.body());
        assertThat(problem.get("type").asString()).isEqualTo("/problems.html#" + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
        return problem;
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(sample.baseUrl() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

}
