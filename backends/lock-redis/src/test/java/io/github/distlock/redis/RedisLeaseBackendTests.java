package io.github.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.MultiKeyLease;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The Redis backend against a real {@code redis-server}: the Kleppmann pause, restarts without persistence,
 * script cache loss, command counts per hand-off, key edge cases and bounded memory.
 */
class RedisLeaseBackendTests {

    private RedisServer server;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeEach
    void startServer() {
        this.server = RedisServer.start();
    }

    @AfterEach
    void stopServer() throws Exception {
        for (int i = this.closeAfter.size() - 1; i >= 0; i--) {
            this.closeAfter.get(i).close();
        }
        this.server.close();
    }

    private RedisLeaseBackend backend(RedisLockOptions options) {
        RedisConnections connections = RedisTestClients.standalone(this.server);
        this.closeAfter.add(connections);
        RedisLeaseBackend backend = new RedisLeaseBackend(connections, options);
        this.closeAfter.add(backend);
        return backend;
    }

    private LockEngine engine(RedisLeaseBackend backend) {
        return engine(backend, LockEngineSettings.defaults());
    }

    private LockEngine engine(RedisLeaseBackend backend, LockEngineSettings settings) {
        LockEngine engine = new LockEngine(backend, settings);
        this.closeAfter.add(engine);
        return engine;
    }

    private static String uniqueKey() {
        return "test-" + UUID.randomUUID();
    }

    @Test
    void aHolderThatStopsRenewingLosesTheKeyAndItsLateReleaseKeepsTheNextHoldersLease() throws Exception {
        LockEngine paused = engine(backend(RedisLockOptions.defaults()));
        LockEngine next = engine(backend(RedisLockOptions.defaults()));
        String key = uniqueKey();
        // autoRenew off stands in for a process that is paused and cannot renew.
        Lease stale = paused.tryAcquire(LockRequest.of(key, RedisTestClients.SHORT_LEASE).withAutoRenew(false))
            .orElseThrow();
        Lease current = await().atMost(RedisTestClients.EVENTUALLY)
            .until(() -> next.tryAcquire(LockRequest.of(key, Duration.ofSeconds(30)).withReentrant(false))
                .orElse(null), lease -> lease != null);
        assertThat(current.fencingToken().getAsLong()).isGreaterThan(stale.fencingToken().getAsLong());
        assertThatThrownBy(stale::checkHeld).isInstanceOf(LeaseLostException.class);
        stale.release();
        assertThat(current.isHeld()).isTrue();
        assertThat(next.tryAcquire(LockRequest.of(key, Duration.ofSeconds(1)).withReentrant(false))).isEmpty();
        current.release();
    }

    @Test
    void aRestartWithoutPersistenceMakesTheHolderLearnOfTheLossAndTokensKeepIncreasing() {
        LockEngine engine = engine(backend(RedisLockOptions.defaults()));
        String key = uniqueKey();
        Lease held = engine.tryAcquire(LockRequest.of(key, Duration.ofMillis(900))).orElseThrow();
        long before = held.fencingToken().getAsLong();
        this.server.restart();
        await().atMost(RedisTestClients.EVENTUALLY).until(() -> !held.isHeld());
        assertThatThrownBy(held::checkHeld).isInstanceOf(LeaseLostException.class);
        Lease after = await().atMost(RedisTestClients.EVENTUALLY).ignoreExceptions()
            .until(() -> engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5)).withReentrant(false))
                .orElse(null), lease -> lease != null);
        assertThat(after.fencingToken().getAsLong()).isGreaterThan(before);
        after.release();
        held.release();
    }

    @Test
    void tokensIncreaseAcrossQuickReleaseAndReacquire() {
        RedisLeaseBackend backend = backend(RedisLockOptions.defaults());
        String key = uniqueKey();
        long previous = 0;
        for (int i = 0; i < 200; i++) {
            String owner = "owner-" + i;
            OptionalLong token = backend.tryAcquire(key, owner, Duration.ofSeconds(5)).fencingToken();
            assertThat(token.getAsLong()).isGreaterThan(previous);
            previous = token.getAsLong();
            assertThat(backend.releaseIfOwner(key, owner)).isTrue();
        }
    }

    @Test
    void scriptsAreSentAgainWhenTheServerForgetsThem() {
        RedisLeaseBackend backend = backend(RedisLockOptions.defaults());
        String key = uniqueKey();
        assertThat(backend.tryAcquire(key, "a", Duration.ofSeconds(5)).isGranted()).isTrue();
        try (Jedis admin = this.server.connect()) {
            admin.scriptFlush();
        }
        assertThat(backend.renewIfOwner(key, "a", Duration.ofSeconds(5))).isTrue();
        assertThat(backend.releaseIfOwner(key, "a")).isTrue();
        assertThat(backend.tryAcquire(key, "b", Duration.ofSeconds(5)).isGranted()).isTrue();
    }

    @Test
    void aWaiterIsWokenByTheReleaseInsteadOfPolling() throws Exception {
        // Aggressive backoff: a polling waiter would send dozens of attempts while the holder works.
        LockEngineSettings pollingIfItCould = LockEngineSettings.defaults()
            .withBackoff(Duration.ofMillis(5), Duration.ofMillis(10));
        LockEngine holderEngine = engine(backend(RedisLockOptions.defaults()));
        LockEngine waiterEngine = engine(backend(RedisLockOptions.defaults()), pollingIfItCould);
        String key = uniqueKey();
        Lease held = holderEngine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(30))).orElseThrow();
        ExecutorService waiterThread = Executors.newSingleThreadExecutor();
        try {
            Future<Lease> waiter = waiterThread.submit(() -> waiterEngine
                .acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(Duration.ofSeconds(15))));
            // Let the waiter make its first attempt and go to sleep, then count what it sends while it waits.
            await().pollDelay(Duration.ofMillis(300)).atMost(RedisTestClients.EVENTUALLY)
                .until(() -> commandCalls("evalsha") >= 2);
            resetCommandStats();
            Thread.sleep(1000);
            long whileWaiting = commandCalls("evalsha");
            held.release();
            Lease granted = waiter.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
            long perHandOff = commandCalls("evalsha") + commandCalls("eval");
            assertThat(whileWaiting).as("attempts sent while the holder worked").isZero();
            // One release and one granted acquire; a spurious wake-up may add one attempt.
            assertThat(perHandOff).as("scripts per hand-off").isBetween(2L, 3L);
            granted.release();
        }
        finally {
            waiterThread.shutdownNow();
        }
    }

    @Test
    void aReleaseWithNobodyWaitingPublishesNothingHoweverManyNodesHaveWaitedBefore() throws Exception {
        LockEngine worker = engine(backend(RedisLockOptions.defaults()));
        // Sixteen other application instances, each of which has waited once and so holds its subscription.
        for (int node = 0; node < 16; node++) {
            LockEngine other = engine(backend(RedisLockOptions.defaults()));
            String key = uniqueKey();
            Lease held = worker.tryAcquire(LockRequest.of(key, Duration.ofSeconds(30))).orElseThrow();
            ExecutorService waiting = Executors.newSingleThreadExecutor();
            try {
                Future<Lease> waiter = waiting.submit(() -> other
                    .acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(Duration.ofSeconds(15))));
                await().atMost(RedisTestClients.EVENTUALLY).until(() -> queueLength(key) == 1);
                held.release();
                waiter.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS).release();
            }
            finally {
                waiting.shutdownNow();
            }
        }
        assertThat(nodeSubscriptions()).as("nodes subscribed to their hand-off channel").isEqualTo(16);
        resetCommandStats();
        for (int i = 0; i < 200; i++) {
            worker.tryAcquire(LockRequest.of("uncontended-" + i, Duration.ofSeconds(30))).orElseThrow().release();
        }
        assertThat(commandCalls("publish")).as("messages published by 200 releases nobody waited for").isZero();
        assertThat(commandCalls("evalsha") + commandCalls("eval")).as("scripts for 200 acquires and releases")
            .isEqualTo(400);
        resetCommandStats();
        for (int i = 0; i < 200; i++) {
            worker.acquire(LockRequest.of("uncontended-waiting-" + i, Duration.ofSeconds(30))
                .withWaitTime(Duration.ofSeconds(5))).release();
        }
        assertThat(commandCalls("publish")).as("messages published by 200 releases of waiting acquires").isZero();
        assertThat(commandCalls("zrem") + commandCalls("zadd")).as("queue commands of 200 waiting acquires that "
                + "found their key free").isZero();
    }

    @Test
    void aReleaseOfAKeyThatEightNodesWaitForWakesOnlyTheNodeItHandsTheKeyToInArrivalOrder() throws Exception {
        LockEngine holder = engine(backend(RedisLockOptions.defaults()));
        String key = uniqueKey();
        Lease held = holder.tryAcquire(LockRequest.of(key, Duration.ofSeconds(30))).orElseThrow();
        List<Integer> grantOrder = new CopyOnWriteArrayList<>();
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService nodes = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> waiters = new ArrayList<>();
            for (int node = 0; node < 8; node++) {
                int number = node;
                LockEngine engine = engine(backend(RedisLockOptions.defaults()));
                waiters.add(nodes.submit(() -> {
                    Lease lease = engine.acquire(LockRequest.of(key, Duration.ofSeconds(30))
                        .withWaitTime(Duration.ofSeconds(60)));
                    grantOrder.add(number);
                    finish.await();
                    lease.release();
                    return null;
                }));
                await().atMost(RedisTestClients.EVENTUALLY).until(() -> queueLength(key) == number + 1);
            }
            resetCommandStats();
            held.release();
            await().atMost(RedisTestClients.EVENTUALLY).until(() -> !grantOrder.isEmpty());
            // The release and the first waiter's claim; a spurious wake-up may add one attempt. Waking every
            // waiter would cost an attempt per node.
            assertThat(commandCalls("evalsha") + commandCalls("eval")).as("scripts per hand-off with 8 waiting nodes")
                .isBetween(2L, 3L);
            assertThat(commandCalls("publish")).as("messages published by the hand-off").isOne();
            finish.countDown();
            for (Future<?> waiter : waiters) {
                waiter.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
            }
            assertThat(grantOrder).as("order in which the waiting nodes got the key").containsExactly(0, 1, 2, 3, 4,
                    5, 6, 7);
            assertThat(queueLength(key)).isZero();
        }
        finally {
            finish.countDown();
            nodes.shutdownNow();
        }
    }

    @Test
    void aWaiterThatGivesUpLeavesTheQueueSoTheNextOneGetsTheKeyAtOnce() throws Exception {
        LockEngine holder = engine(backend(RedisLockOptions.defaults()));
        LockEngine impatient = engine(backend(RedisLockOptions.defaults()));
        LockEngine patient = engine(backend(RedisLockOptions.defaults()));
        String key = uniqueKey();
        Lease held = holder.tryAcquire(LockRequest.of(key, Duration.ofSeconds(30))).orElseThrow();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Lease> givesUp = threads.submit(() -> impatient
                .acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(Duration.ofMillis(500))));
            await().atMost(RedisTestClients.EVENTUALLY).until(() -> queueLength(key) == 1);
            Future<Lease> waits = threads.submit(() -> patient
                .acquire(LockRequest.of(key, Duration.ofSeconds(30)).withWaitTime(Duration.ofSeconds(60))));
            await().atMost(RedisTestClients.EVENTUALLY).until(() -> queueLength(key) == 2);
            assertThatThrownBy(() -> givesUp.get(RedisTestClients.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(io.github.distlock.core.LockNotAcquiredException.class);
            await().atMost(RedisTestClients.EVENTUALLY).until(() -> queueLength(key) == 1);
            held.release();
            // Without leaving, the key would go to the waiter that gave up and sit unclaimed for the claim time.
            waits.get(RedisLeaseBackend.HAND_OFF_CLAIM_TIME.toMillis() / 2, TimeUnit.MILLISECONDS).release();
        }
        finally {
            threads.shutdownNow();
        }
    }

    private long queueLength(String key) {
        try (Jedis admin = this.server.connect()) {
            return admin.zcard(RedisLockOptions.defaults().keyPrefix() + "{" + key + "}:q");
        }
    }

    private long nodeSubscriptions() {
        try (Jedis admin = this.server.connect()) {
            return admin.pubsubChannels(RedisLockOptions.defaults().nodeChannelPrefix() + "*").size();
        }
    }

    @Test
    void aKeyLongerThanTheLimitIsRejectedBeforeAnyCommandIsSent() {
        LockEngine engine = engine(backend(RedisLockOptions.defaults().withMaxKeyLength(16)));
        resetCommandStats();
        assertThatThrownBy(() -> engine.tryAcquire(LockRequest.of("k".repeat(17), Duration.ofSeconds(5))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("16");
        assertThat(commandCalls("evalsha") + commandCalls("eval")).isZero();
        assertThat(engine.tryAcquire(LockRequest.of("k".repeat(16), Duration.ofSeconds(5)))).isPresent();
    }

    @Test
    void keysThatDifferOnlyAfterAColonOrABraceStayDistinctEvenUnderAHashTaggedPrefix() {
        LockEngine engine = engine(backend(RedisLockOptions.defaults().withKeyPrefix("app{tenant-1}:")));
        String base = uniqueKey();
        List<String> keys = List.of(base, base + ":", base + ":x", base + "{", base + "{x}", base + "{x}:y", "{" + base);
        List<Lease> leases = new ArrayList<>();
        for (String key : keys) {
            leases.add(engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5)).withReentrant(false))
                .orElseThrow(() -> new AssertionError("'" + key + "' collided with another key")));
        }
        leases.forEach(Lease::release);
    }

    @Test
    void prefixesKeepApplicationsApart() {
        LockEngine shop = engine(backend(RedisLockOptions.defaults().withKeyPrefix("shop:")));
        LockEngine billing = engine(backend(RedisLockOptions.defaults().withKeyPrefix("billing:")));
        String key = uniqueKey();
        Lease first = shop.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))).orElseThrow();
        Lease second = billing.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))).orElseThrow();
        first.release();
        second.release();
    }

    @Test
    void lockingManyDistinctKeysLeavesNothingBehindAfterTheTokenRetention() {
        RedisLockOptions options = new RedisLockOptions("distlock:", 1024, 0, Duration.ofSeconds(1),
                Duration.ofMillis(200));
        LockEngine engine = engine(backend(options));
        for (int i = 0; i < 2000; i++) {
            engine.tryAcquire(LockRequest.of("order-" + i, Duration.ofSeconds(5))).orElseThrow().release();
        }
        await().atMost(RedisTestClients.EVENTUALLY).until(() -> databaseSize() == 0);
    }

    @Test
    void requiredReplicaAcknowledgementThatNeverComesFailsTheAcquireAndLeavesTheKeyFree() {
        RedisLeaseBackend strict = backend(RedisLockOptions.defaults()
            .withReplicaAcknowledgement(1, Duration.ofMillis(200)));
        LockEngine engine = engine(strict);
        String key = uniqueKey();
        assertThatThrownBy(() -> engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))))
            .isInstanceOf(LockUnavailableException.class)
            .hasMessageContaining("replicas acknowledged");
        LockEngine relaxed = engine(backend(RedisLockOptions.defaults()));
        assertThat(relaxed.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5)))).isPresent();
    }

    @Test
    void requiredReplicaAcknowledgementSucceedsWithAReplica() {
        try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(this.server.port()))) {
            RedisReplicas.awaitInSync(this.server, 1);
            // The wait for replicas must stay within the client's read timeout.
            LockEngine engine = engine(backend(RedisLockOptions.defaults()
                .withReplicaAcknowledgement(1, Duration.ofMillis(800))));
            assertThat(engine.tryAcquire(LockRequest.of(uniqueKey(), Duration.ofSeconds(5)))).isPresent();
        }
    }

    @Test
    void callsFailClosedWhileRedisIsDownAndRecoverWhenItIsBack() {
        LockEngine engine = engine(backend(RedisLockOptions.defaults()));
        String key = uniqueKey();
        this.server.kill();
        assertThatThrownBy(() -> engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))))
            .isInstanceOf(LockUnavailableException.class);
        this.server.restart();
        await().atMost(RedisTestClients.EVENTUALLY).ignoreExceptions()
            .until(() -> engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(5))).isPresent());
    }

    @Test
    void aFreeSetOfKeysIsTakenInOneScriptCallAndAHeldOneKeyByKey() throws Exception {
        LockEngine engine = engine(backend(RedisLockOptions.defaults()));
        String base = uniqueKey();
        List<LockRequest> requests = List.of(LockRequest.of(base + "-c", Duration.ofSeconds(5)),
                LockRequest.of(base + "-a", Duration.ofSeconds(5)), LockRequest.of(base + "-b", Duration.ofSeconds(5)));
        resetCommandStats();
        try (MultiKeyLease set = engine.acquireAll(requests)) {
            assertThat(commandCalls("evalsha")).as("script calls for three free keys").isEqualTo(1);
            assertThat(set.fencingTokens()).hasSize(3);
        }
        Lease held = engine.tryAcquire(LockRequest.of(base + "-b", Duration.ofSeconds(5)).withReentrant(false))
            .orElseThrow();
        resetCommandStats();
        assertThat(engine.tryAcquireAll(requests)).isEmpty();
        assertThat(commandCalls("evalsha")).as("script calls for a set with a held key: the one refused attempt")
            .isEqualTo(1);
        held.release();
    }

    private long databaseSize() {
        try (Jedis admin = this.server.connect()) {
            return admin.dbSize();
        }
    }

    private void resetCommandStats() {
        try (Jedis admin = this.server.connect()) {
            admin.configResetStat();
        }
    }

    private long commandCalls(String command) {
        Matcher calls = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(this.server.info("commandstats"));
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

}
