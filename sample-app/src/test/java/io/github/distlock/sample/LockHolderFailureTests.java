package io.github.distlock.sample;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.distlock.sample.LockService.TestServers;
import io.github.distlock.testservers.FreePorts;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What happens to an order when the instance holding its lock stops: paused (SIGSTOP) past its lease, the other
 * instance takes over and charges, and the ledger refuses the paused one's charge when it resumes, because its
 * fencing token is older (Kleppmann's case); killed (SIGKILL), the other instance checks the order out once the
 * lease has expired. Either way the ledger holds one charge.
 *
 * <p>The shop's database is an H2 server run by this test JVM (which is never paused), so that pausing an instance
 * never pauses the database the other one needs. Starting application JVMs is the slow part, so each lock service's
 * pair of instances is started once: the pause test leaves both running, and the kill test, which runs after it,
 * ends the holder. A pair that is not fully alive when a test begins is started again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LockHolderFailureTests {

    /** The holder is paused or killed in the middle of this. */
    private static final String HOLDER_PAYMENT_TIME = "3s";

    private static final Map<LockService, Instances> started = new EnumMap<>(LockService.class);

    private static TestServers servers;

    private static Server database;

    @TempDir
    static Path directory;

    @BeforeAll
    static void startServers() throws SQLException {
        servers = TestServers.start();
        database = Server.createTcpServer("-tcpPort", Integer.toString(FreePorts.next()), "-baseDir",
                directory.resolve("h2").toString(), "-ifNotExists").start();
    }

    @AfterAll
    static void stopServers() {
        started.values().forEach(Instances::close);
        database.stop();
        servers.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource
    @Order(1)
    void holderPausedPastItsLeaseIsRefusedByTheLedgerAfterTheOtherInstanceCharged(LockService service)
            throws Exception {
        Instances instances = instances(service);
        SampleInstance holder = instances.holder();
        SampleInstance other = instances.other();
        String order = holder.createOrder();

        CompletableFuture<HttpResponse<String>> held = holder.checkoutAsync(order);
        long staleToken = awaitAuthorizing(holder, order);
        holder.pause();
        HttpResponse<String> takeover;
        try {
            takeover = other.checkoutAsync(order).get(TestTimings.TAKEOVER.toSeconds(), TimeUnit.SECONDS);
        }
        finally {
            holder.resume();
        }
        assertThat(takeover.statusCode()).as(takeover.body()).isEqualTo(200);
        JsonNode charged = SampleInstance.json.readTree(takeover.body());
        assertThat(charged.get("outcome").asString()).isEqualTo("CHARGED");
        long newToken = charged.get("charge").get("fencingToken").asLong();
        assertThat(newToken).isGreaterThan(staleToken);

        HttpResponse<String> resumed = held.get(TestTimings.REQUEST.toSeconds(), TimeUnit.SECONDS);
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(409);
        assertThat(resumed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = SampleInstance.json.readTree(resumed.body());
        assertThat(problem.get("type").asString()).isEqualTo("/problems.html#stale-fencing-token");
        assertThat(problem.get("fencingToken").asLong()).isEqualTo(staleToken);
        assertThat(problem.get("newestToken").asLong()).isEqualTo(newToken);

        List<JsonNode> charges = other.charges(order);
        assertThat(charges).singleElement().satisfies(charge -> {
            assertThat(charge.get("chargedBy").asString()).isEqualTo("other");
            assertThat(charge.get("fencingToken").asLong()).isEqualTo(newToken);
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource
    @Order(2)
    void holderKilledWhileCheckingOutLeavesTheOrderToTheOtherInstanceOnceTheLeaseExpires(LockService service)
            throws Exception {
        try (Instances instances = instances(service)) {
            started.remove(service);
            SampleInstance holder = instances.holder();
            SampleInstance other = instances.other();
            String order = holder.createOrder();

            holder.checkoutAsync(order);
            awaitAuthorizing(holder, order);
            CompletableFuture<HttpResponse<String>> waiting = other.checkoutAsync(order);
            holder.kill();
            long killed = System.nanoTime();
            HttpResponse<String> takeover = waiting.get(TestTimings.REQUEST.toSeconds(), TimeUnit.SECONDS);
            Duration takeoverTime = Duration.ofNanos(System.nanoTime() - killed);

            assertThat(takeover.statusCode()).as(takeover.body()).isEqualTo(200);
            assertThat(SampleInstance.json.readTree(takeover.body()).get("outcome").asString()).isEqualTo("CHARGED");
            assertThat(takeoverTime).isLessThan(TestTimings.TAKEOVER);
            assertThat(other.charges(order)).singleElement()
                .satisfies(charge -> assertThat(charge.get("chargedBy").asString()).isEqualTo("other"));
        }
    }

    private static Instances instances(LockService service) {
        Instances instances = started.get(service);
        if (instances == null || !instances.holder().isAlive() || !instances.other().isAlive()) {
            if (instances != null) {
                instances.close();
            }
            // One after the other: both run the shop's schema script, and H2 fails concurrent CREATE INDEX IF NOT
            // EXISTS on one database with an internal error.
            SampleInstance holder = start("holder", service, HOLDER_PAYMENT_TIME);
            SampleInstance other;
            try {
                other = start("other", service, "50ms");
            }
            catch (RuntimeException | Error ex) {
                holder.close();
                throw ex;
            }
            instances = new Instances(holder, other);
            started.put(service, instances);
        }
        return instances;
    }

    private static SampleInstance start(String name, LockService service, String paymentTime) {
        Map<String, String> properties = new HashMap<>(service.properties(servers));
        properties.put("spring.datasource.url", "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/shop");
        properties.put("sample.payment-time", paymentTime);
        properties.put("distributed-lock.lease-time", TestTimings.SHORT_LEASE.toMillis() + "ms");
        properties.put("distributed-lock.wait-time", TestTimings.REQUEST.toSeconds() + "s");
        return SampleInstance.startReady(name, directory.resolve(service + "-" + name + "-" + System.nanoTime()),
                properties);
    }

    // The holder logs this just before it calls the (slow) payment provider, holding the lock.
    private static long awaitAuthorizing(SampleInstance holder, String order) {
        Matcher matcher = holder.awaitLog(Pattern
            .compile("Authorizing payment for order " + Pattern.quote(order) + " with fencing token (\\d+)"));
        return Long.parseLong(matcher.group(1));
    }

    /**
     * The two instances of one lock service: the one that will hold the lock, and the other.
     * @param holder takes the lock first, with a slow payment provider
     * @param other takes over
     */
    private record Instances(SampleInstance holder, SampleInstance other) implements AutoCloseable {

        @Override
        public void close() {
            this.holder.close();
            this.other.close();
        }

    }

}
