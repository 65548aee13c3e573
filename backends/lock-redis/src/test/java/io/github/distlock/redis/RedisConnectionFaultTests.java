package io.github.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.testservers.RedisServer;
import io.github.distlock.testservers.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.UnifiedJedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The backend's connections under faults, against real servers: a backend closed during release traffic leaves a
 * shared client intact, replica acknowledgement is counted on the connection that wrote, a pool of one connection
 * never hangs, a subscription whose connection stops answering is replaced, and a frozen server fails a call within
 * its one time limit.
 */
class RedisConnectionFaultTests {

    private RedisServer server;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void startServer() {
        this.server = RedisServer.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        this.threads.shutdownNow();
        for (int i = this.closeAfter.size() - 1; i >= 0; i--) {
            this.closeAfter.get(i).close();
        }
        this.server.close();
    }

    private <T extends AutoCloseable> T closedAfterwards(T closeable) {
        this.closeAfter.add(closeable);
        return closeable;
    }

    private RedisConnections connections(int port, Duration timeout, int poolSize) {
        JedisClientConfig config = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis((int) timeout.toMillis())
            .socketTimeoutMillis((int) timeout.toMillis())
            .build();
        return closedAfterwards(RedisConnections.create(RedisTopology.standalone("127.0.0.1", port), config, config,
                poolSize));
    }

    private LockEngine engine(RedisLeaseBackend backend) {
        closedAfterwards(backend);
        return closedAfterwards(new LockEngine(backend));
    }

    private static String uniqueKey() {
        return "fault-" + UUID.randomUUID();
    }

    @Test
    void closingBackendsDuringReleaseTrafficNeverLeavesTheSharedClientWithAnUnreadReply() throws Exception {
        UnifiedJedis shared = closedAfterwards(RedisTestClients.applicationClient(this.server));
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> publishers = new ArrayList<>();
        AtomicReference<String> channel = new AtomicReference<>("none");
        for (int t = 0; t < 4; t++) {
            // Hand-off announcements as fast as Redis takes them, so that a subscription always has messages to read.
            publishers.add(this.threads.submit(() -> {
                try (Jedis publisher = this.server.connect()) {
                    while (!stop.get()) {
                        publisher.publish(channel.get(), "distlock:{other}\nsomeone");
                    }
                }
                return null;
            }));
        }
        for (int round = 0; round < 50; round++) {
            RedisLeaseBackend backend = new RedisLeaseBackend(shared);
            channel.set(backend.nodeChannel());
            backend.subscribeToHandOff("waited-" + round, "owner-" + round, () -> { });
            await().atMost(RedisTestClients.EVENTUALLY).until(() -> subscribers() >= 1);
            backend.close();
            await().atMost(RedisTestClients.EVENTUALLY).until(() -> subscribers() == 0);
        }
        stop.set(true);
        for (Future<?> publisher : publishers) {
            publisher.get();
        }
        for (int i = 0; i < 3000; i++) {
            String key = "check-" + i;
            String value = "value-" + i;
            assertThat(shared.set(key, value)).isEqualTo("OK");
            assertThat(shared.get(key)).as("reply to GET %s", key).isEqualTo(value);
        }
        RedisLeaseBackend backend = closedAfterwards(new RedisLeaseBackend(shared));
        try (Jedis admin = this.server.connect()) {
            for (int i = 0; i < 500; i++) {
                String key = "owned-" + i;
                admin.set(backend.storedKey(key), "1:another-owner");
                assertThat(backend.tryAcquire(key, "me-" + i, Duration.ofSeconds(5)).isGranted())
                    .as("granted while another owner is stored for %s", key).isFalse();
            }
        }
    }

    @Test
    void anAcquireIsNeverGrantedWhileTheRequiredReplicaIsFrozenAndAlwaysWhenItRuns() throws Exception {
        try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(this.server.port()))) {
            RedisReplicas.awaitInSync(this.server, 1);
            RedisLeaseBackend strict = closedAfterwards(new RedisLeaseBackend(
                    connections(this.server.port(), Duration.ofSeconds(2), 16),
                    RedisLockOptions.defaults().withReplicaAcknowledgement(1, Duration.ofMillis(300))));
            // Every pooled connection has written a lease the replica acknowledged: a WAIT on a connection other than
            // the one that wrote would count that old write and return at once.
            assertThat(acquireConcurrently(strict, 16, 2)).as("acquires granted with the replica running")
                .isEqualTo(32);
            replica.pause();
            try {
                assertThat(acquireConcurrently(strict, 16, 3)).as("acquires granted with the replica frozen").isZero();
            }
            finally {
                replica.resume();
            }
            RedisReplicas.awaitInSync(this.server, 1);
            assertThat(acquireConcurrently(strict, 16, 1)).as("acquires granted with the replica running")
                .isEqualTo(16);
        }
    }

    private int acquireConcurrently(RedisLeaseBackend backend, int threadCount, int rounds) throws Exception {
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> calls = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            calls.add(this.threads.submit(() -> {
                start.await();
                for (int round = 0; round < rounds; round++) {
                    String owner = "owner-" + UUID.randomUUID();
                    try {
                        if (backend.tryAcquire(uniqueKey(), owner, Duration.ofSeconds(5)).isGranted()) {
                            granted.incrementAndGet();
                        }
                    }
                    catch (RedisReplicationException ex) {
                        // Refused for want of acknowledgement: what must happen while the replica is frozen.
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> call : calls) {
            call.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
        }
        return granted.get();
    }

    @Test
    void aPoolOfOneConnectionServesCommandsWhileAWaiterIsSubscribed() throws Exception {
        LockEngine holder = engine(new RedisLeaseBackend(RedisTestClients.standalone(this.server),
                RedisLockOptions.defaults()));
        LockEngine single = engine(new RedisLeaseBackend(connections(this.server.port(), Duration.ofSeconds(1), 1),
                RedisLockOptions.defaults()));
        String key = uniqueKey();
        Lease held = holder.tryAcquire(LockRequest.of(key, Duration.ofSeconds(30))).orElseThrow();
        Future<Lease> waiter = this.threads.submit(() -> single.acquire(LockRequest.of(key, Duration.ofSeconds(30))
            .withWaitTime(Duration.ofSeconds(20))));
        await().atMost(RedisTestClients.EVENTUALLY).until(() -> subscribers() >= 1);
        Future<Lease> other = this.threads.submit(() -> single.tryAcquire(LockRequest.of(uniqueKey(),
                Duration.ofSeconds(5))).orElseThrow());
        other.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS).release();
        held.release();
        waiter.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS).release();
    }

    @Test
    void aCallWaitingForTheOnlyPooledConnectionFailsClosedWithinTheTimeLimit() throws Exception {
        RedisConnections one = connections(this.server.port(), Duration.ofMillis(500), 1);
        LockEngine engine = engine(new RedisLeaseBackend(one, RedisLockOptions.defaults()));
        CountDownLatch borrowed = new CountDownLatch(1);
        CountDownLatch giveBack = new CountDownLatch(1);
        Future<?> occupying = this.threads.submit(() -> one.call("", "test", connection -> {
            borrowed.countDown();
            try {
                giveBack.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        borrowed.await();
        String key = uniqueKey();
        Future<?> call = this.threads.submit(() -> engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))));
        assertThatThrownBy(() -> call.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS))
            .hasCauseInstanceOf(LockUnavailableException.class)
            .hasMessageContaining(key)
            .hasMessageContaining("127.0.0.1:" + this.server.port());
        giveBack.countDown();
        occupying.get();
        engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))).orElseThrow().release();
    }

    @Test
    void aSubscriptionWhoseConnectionStopsAnsweringIsReplacedAndItsWaiterWokenLongBeforeTheHoldersLeaseEnds()
            throws Exception {
        TcpProxy proxy = closedAfterwards(TcpProxy.start(this.server.port()));
        LockEngine holder = engine(new RedisLeaseBackend(RedisTestClients.standalone(this.server),
                RedisLockOptions.defaults()));
        LockEngine waiting = engine(new RedisLeaseBackend(connections(proxy.port(), Duration.ofSeconds(1), 4),
                RedisLockOptions.defaults()));
        String key = uniqueKey();
        Lease held = holder.tryAcquire(LockRequest.of(key, Duration.ofSeconds(60))).orElseThrow();
        Future<Lease> waiter = this.threads.submit(() -> waiting.acquire(LockRequest.of(key, Duration.ofSeconds(30))
            .withWaitTime(Duration.ofSeconds(50))));
        await().atMost(RedisTestClients.EVENTUALLY).until(() -> subscribers() >= 1);
        // Only the subscription's connection goes silent, as after a half-open TCP connection; commands still work.
        assertThat(proxy.stallConnectionSeenByTheServerFrom(subscriberPort())).as("subscription stalled").isTrue();
        held.release();
        // The holder's lease had 60 s left: only a replaced subscription wakes the waiter well before that.
        waiter.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS).release();
    }

    @Test
    void aFrozenServerFailsAnAcquireWithinItsTimeLimitNamingTheServerAndTheKey() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        LockEngine engine = engine(new RedisLeaseBackend(connections(this.server.port(), timeout, 4),
                RedisLockOptions.defaults()));
        engine.tryAcquire(LockRequest.of(uniqueKey(), Duration.ofSeconds(5))).orElseThrow().release();
        String key = uniqueKey();
        this.server.pause();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))))
                .isInstanceOf(LockUnavailableException.class)
                .hasMessageContaining("redis")
                .hasMessageContaining("127.0.0.1:" + this.server.port())
                .hasMessageContaining(key);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // Generous slack for a loaded machine; three retries of the timeout would take three times as long.
            assertThat(took).as("time until the acquire failed").isLessThan(timeout.multipliedBy(18).dividedBy(10));
        }
        finally {
            this.server.resume();
        }
    }

    private int subscriberPort() {
        try (Jedis admin = this.server.connect()) {
            for (String client : admin.clientList().split("\n")) {
                if (client.contains(" cmd=subscribe") || client.contains(" sub=1 ")) {
                    String address = client.replaceAll(".*\\baddr=(\\S+).*", "$1");
                    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1).trim());
                }
            }
        }
        throw new AssertionError("No subscribed client found");
    }

    /** How many backends are subscribed to their node channel. */
    private long subscribers() {
        try (Jedis admin = this.server.connect()) {
            return admin.pubsubChannels(RedisLockOptions.defaults().nodeChannelPrefix() + "*").size();
        }
    }

}
