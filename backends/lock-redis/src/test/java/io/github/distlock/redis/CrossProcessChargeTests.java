package io.github.distlock.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.github.distlock.testkit.server.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three "servers" (two in this JVM with their own clients, one separate JVM) charge the same 500 orders at the
 * same time. Without the lock some orders are charged twice; with it every order is charged exactly once.
 */
class CrossProcessChargeTests {

    private static final int ORDERS = 500;

    private RedisServer server;

    private ExecutorService servers;

    @BeforeEach
    void start() {
        this.server = RedisServer.start();
        this.servers = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        this.servers.shutdownNow();
        this.server.close();
    }

    @Test
    void withoutTheLockSomeOrdersAreChargedTwice() throws Exception {
        runEverywhere(false);
        assertThat(chargesPerOrder()).as("the race must show without the lock").anyMatch(charges -> charges > 1);
    }

    @Test
    void withTheLockEveryOrderIsChargedExactlyOnce() throws Exception {
        runEverywhere(true);
        assertThat(chargesPerOrder()).hasSize(ORDERS).allMatch(charges -> charges == 1);
    }

    private void runEverywhere(boolean locked) throws Exception {
        Path log = Files.createTempFile("distlock-charging-jvm", ".log");
        Process otherJvm = startOtherJvm(locked, log);
        try {
            List<CompletableFuture<Void>> inThisJvm = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                inThisJvm.add(CompletableFuture.runAsync(() -> {
                    try {
                        OrderCharging.chargeAll(this.server.port(), ORDERS, locked);
                    }
                    catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                }, this.servers));
            }
            // All three servers wait for this key, so they start together.
            try (UnifiedJedis jedis = RedisTestClients.standalone(this.server)) {
                Thread.sleep(1500);
                jedis.set(OrderCharging.GO_KEY, "1");
            }
            for (CompletableFuture<Void> server : inThisJvm) {
                server.get(180, TimeUnit.SECONDS);
            }
            assertThat(otherJvm.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(otherJvm.exitValue()).as(Files.readString(log)).isZero();
        }
        finally {
            otherJvm.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private Process startOtherJvm(boolean locked, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "-cp", classpath, OrderCharging.class.getName(),
                Integer.toString(this.server.port()), Integer.toString(ORDERS), Boolean.toString(locked))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    }

    private List<Long> chargesPerOrder() {
        List<Long> charges = new ArrayList<>();
        try (UnifiedJedis jedis = RedisTestClients.standalone(this.server)) {
            for (int i = 0; i < ORDERS; i++) {
                String value = jedis.get("ledger:charges:" + i);
                if (value != null) {
                    charges.add(Long.parseLong(value));
                }
            }
        }
        return charges;
    }

}
