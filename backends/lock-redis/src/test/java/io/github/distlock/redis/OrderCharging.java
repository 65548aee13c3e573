package io.github.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import redis.clients.jedis.UnifiedJedis;

/**
 * One "server" charging orders: for each order it checks a ledger kept in Redis and charges the order if it was
 * not charged yet, a check-then-act that is only safe under the lock. Run in the test JVM and, through
 * {@link #main}, in a separate JVM.
 */
final class OrderCharging {

    static final String GO_KEY = "ledger:go";

    private OrderCharging() {
    }

    /**
     * Charges orders 0..orders-1 with a few threads once the test says go.
     * @param redisPort the Redis server
     * @param orders how many orders
     * @param locked whether each charge runs under the order's lock
     */
    static void chargeAll(int redisPort, int orders, boolean locked) throws Exception {
        try (UnifiedJedis jedis = RedisTopology.standalone("127.0.0.1", redisPort)
            .connect(RedisTestClients.config(), RedisTestClients.config(), 8);
                RedisLeaseBackend backend = new RedisLeaseBackend(jedis);
                LockEngine engine = new LockEngine(backend)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (jedis.get(GO_KEY) == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The test never said go");
                }
                Thread.sleep(1);
            }
            ExecutorService threads = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int offset = t;
                    work.add(threads.submit(() -> {
                        for (int i = 0; i < orders; i++) {
                            String orderId = Integer.toString((i + offset * orders / 3) % orders);
                            if (locked) {
                                engine.callWithLock(LockRequest.of("order:" + orderId, Duration.ofSeconds(10))
                                    .withWaitTime(Duration.ofSeconds(10)), () -> chargeUnlessCharged(jedis, orderId));
                            }
                            else {
                                chargeUnlessCharged(jedis, orderId);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> future : work) {
                    future.get(120, TimeUnit.SECONDS);
                }
            }
            finally {
                threads.shutdownNow();
            }
        }
    }

    private static Void chargeUnlessCharged(UnifiedJedis jedis, String orderId) throws InterruptedException {
        if (jedis.get("ledger:charged:" + orderId) != null) {
            return null;
        }
        // The payment gateway's round trip, during which another server can pass the check.
        Thread.sleep(1);
        jedis.incr("ledger:charges:" + orderId);
        jedis.set("ledger:charged:" + orderId, "1");
        return null;
    }

    /**
     * Entry point of the separate JVM: {@code <redis port> <orders> <locked>}.
     * @param args the arguments
     */
    public static void main(String[] args) throws Exception {
        chargeAll(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Boolean.parseBoolean(args[2]));
    }

}
