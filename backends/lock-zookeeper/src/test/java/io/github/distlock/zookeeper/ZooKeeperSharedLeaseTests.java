package io.github.distlock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.testservers.ZooKeeperServer;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shared leases on a real ZooKeeper server, beyond the contract: what the readers' container and its ephemeral
 * children do when a reader's session ends, when several writers take over expired readers at once, and when
 * readers and writers of separate clients (and sessions) contend for one key.
 */
class ZooKeeperSharedLeaseTests {

    private static final Duration LONG_LEASE = Duration.ofSeconds(20);

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static ZooKeeperServer server;

    private final List<LockEngine> engines = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = ZooKeeperServer.start((int) ZooKeeperTestClients.MAX_SESSION.toMillis());
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeClients() {
        this.engines.forEach(LockEngine::close);
        ZooKeeperTestClients.closeAll();
    }

    @Test
    void readerWhoseSessionEndsStopsHoldingAndTheOtherReadersKeepTheKey() throws Exception {
        CuratorFramework crashingClient = ZooKeeperTestClients.started(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        ZooKeeperLeaseBackend crashing = ZooKeeperLeaseBackend.create(crashingClient);
        ZooKeeperLeaseBackend staying = backend();
        ZooKeeperLeaseBackend writer = backend();
        String key = "reader-session-" + System.nanoTime();
        assertThat(crashing.tryAcquireShared(key, "crashing-reader", LONG_LEASE).isGranted()).isTrue();
        assertThat(staying.tryAcquireShared(key, "staying-reader", LONG_LEASE).isGranted()).isTrue();
        assertThat(writer.tryAcquire(key, "writer", LONG_LEASE).isGranted()).as("a writer while two readers hold")
                .isFalse();

        long expiredAt = System.nanoTime();
        ZooKeeperTestClients.expireSession(crashingClient, server.connectString());
        // The crashed reader's share is gone with its session, long before its lease would end; the other stays.
        await().atMost(PATIENCE).ignoreExceptions()
                .until(() -> !crashing.renewSharedIfOwner(key, "crashing-reader", LONG_LEASE));
        assertThat(writer.tryAcquire(key, "writer", LONG_LEASE).isGranted()).as("a writer while one reader holds")
                .isFalse();
        assertThat(staying.renewSharedIfOwner(key, "staying-reader", LONG_LEASE)).isTrue();
        assertThat(staying.releaseSharedIfOwner(key, "staying-reader")).isTrue();
        assertThat(writer.tryAcquire(key, "writer", LONG_LEASE).isGranted()).as("a writer once the other left")
                .isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - expiredAt)).isLessThan(LONG_LEASE);
        assertThat(writer.releaseIfOwner(key, "writer")).isTrue();
    }

    @Test
    void lastReaderWhoseSessionEndsFreesTheKeyForAWriterBeforeItsLeaseEnds() throws Exception {
        CuratorFramework crashingClient = ZooKeeperTestClients.started(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        ZooKeeperLeaseBackend crashing = ZooKeeperLeaseBackend.create(crashingClient);
        ZooKeeperLeaseBackend writer = backend();
        String key = "last-reader-session-" + System.nanoTime();
        AcquireResult read = crashing.tryAcquireShared(key, "crashing-reader", LONG_LEASE);
        assertThat(read.isGranted()).isTrue();

        long expiredAt = System.nanoTime();
        ZooKeeperTestClients.expireSession(crashingClient, server.connectString());
        AcquireResult written = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> writer.tryAcquire(key, "writer", LONG_LEASE), AcquireResult::isGranted);
        assertThat(Duration.ofNanos(System.nanoTime() - expiredAt)).as("time until the writer was granted")
                .isLessThan(LONG_LEASE);
        assertThat(written.fencingToken().getAsLong()).isGreaterThan(read.fencingToken().getAsLong());
        assertThat(writer.releaseIfOwner(key, "writer")).isTrue();
    }

    @Test
    void writerWhoseSessionEndsWhileWaitingNoLongerKeepsReadersOut() throws Exception {
        ZooKeeperLeaseBackend reader = backend();
        CuratorFramework writerClient = ZooKeeperTestClients.started(server.connectString(),
                ZooKeeperTestClients.LONG_SESSION);
        ZooKeeperLeaseBackend writer = ZooKeeperLeaseBackend.create(writerClient);
        String key = "writer-session-" + System.nanoTime();
        assertThat(reader.tryAcquireShared(key, "first-reader", LONG_LEASE).isGranted()).isTrue();
        assertThat(writer.tryAcquireAsWaitingWriter(key, "writer", LONG_LEASE, LONG_LEASE).isGranted()).isFalse();
        assertThat(reader.tryAcquireShared(key, "second-reader", LONG_LEASE).isGranted())
                .as("a reader while the writer waits").isFalse();

        ZooKeeperTestClients.expireSession(writerClient, server.connectString());
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> reader.tryAcquireShared(key, "second-reader", LONG_LEASE), AcquireResult::isGranted);
        assertThat(reader.releaseSharedIfOwner(key, "first-reader")).isTrue();
        assertThat(reader.releaseSharedIfOwner(key, "second-reader")).isTrue();
    }

    /**
     * As {@link ZooKeeperTakeoverTests} does for one expired writer: readers whose leases ran out while their sessions
     * live on, and at the same moment writers that take them over and readers that join. Without the container's
     * emptiness and the children's versions in the writers' transaction, two writers, or a writer and a reader,
     * would both be granted.
     */
    @Test
    void writersTakingOverExpiredReadersAtOnceGrantItToOneOfThemOrReadersOnly() throws Exception {
        int rounds = 15;
        int writers = 3;
        int readers = 3;
        ZooKeeperLeaseBackend lapsing = backend();
        List<ZooKeeperLeaseBackend> contenders = new ArrayList<>();
        for (int i = 0; i < writers + readers; i++) {
            contenders.add(backend());
        }
        ExecutorService threads = Executors.newFixedThreadPool(writers + readers);
        List<String> outcomes = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                String key = "readers-takeover-" + round + "-" + System.nanoTime();
                Duration lapsingLease = Duration.ofMillis(200);
                assertThat(lapsing.tryAcquireShared(key, "lapsing-a-" + round, lapsingLease).isGranted()).isTrue();
                assertThat(lapsing.tryAcquireShared(key, "lapsing-b-" + round, lapsingLease).isGranted()).isTrue();
                Thread.sleep(lapsingLease.toMillis() + 100);
                CyclicBarrier start = new CyclicBarrier(writers + readers);
                List<Future<AcquireResult>> writes = new ArrayList<>();
                List<Future<AcquireResult>> reads = new ArrayList<>();
                for (int i = 0; i < writers + readers; i++) {
                    ZooKeeperLeaseBackend contender = contenders.get(i);
                    String owner = "contender-" + i + "-" + round;
                    boolean isWriter = i < writers;
                    Future<AcquireResult> attempt = threads.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return isWriter ? contender.tryAcquire(key, owner, LONG_LEASE)
                                : contender.tryAcquireShared(key, owner, LONG_LEASE);
                    });
                    (isWriter ? writes : reads).add(attempt);
                }
                outcomes.add(granted(writes) + " writers, " + granted(reads) + " readers");
            }
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(outcomes).as("grants per round").allSatisfy(outcome -> assertThat(outcome)
            .matches("1 writers, 0 readers|0 writers, [1-9] readers"));
    }

    @Test
    void readersAndWritersOfTwoBackendsOverSeparateClientsNeverOverlap() throws Exception {
        String key = "two-backends-" + System.nanoTime();
        int threadsPerBackend = 4;
        int locksPerThread = 25;
        List<LockEngine> sides = List.of(engine(backend()), engine(backend()));
        AtomicInteger readersInside = new AtomicInteger();
        AtomicInteger writersInside = new AtomicInteger();
        AtomicInteger mostReadersAtOnce = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        AtomicLong highestToken = new AtomicLong();
        AtomicLong highestWriterToken = new AtomicLong();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(2 * threadsPerBackend);
        List<Future<?>> workers = new ArrayList<>();
        for (LockEngine side : sides) {
            for (int t = 0; t < threadsPerBackend; t++) {
                workers.add(threads.submit(() -> {
                    for (int i = 0; i < locksPerThread; i++) {
                        boolean write = ThreadLocalRandom.current().nextInt(4) == 0;
                        LockRequest request = LockRequest.of(key, LONG_LEASE).withWaitTime(PATIENCE)
                            .withMode(write ? LockMode.WRITE : LockMode.READ).withReentrant(false);
                        Lease lease = side.acquire(request);
                        long token = lease.fencingToken().getAsLong();
                        if (write) {
                            writes.incrementAndGet();
                            if (writersInside.incrementAndGet() != 1 || readersInside.get() != 0) {
                                violations.add("a writer entered beside another holder");
                            }
                            if (token <= highestToken.get()) {
                                violations.add("a writer's token " + token + " not above " + highestToken.get());
                            }
                            highestWriterToken.accumulateAndGet(token, Math::max);
                        }
                        else {
                            mostReadersAtOnce.accumulateAndGet(readersInside.incrementAndGet(), Math::max);
                            if (writersInside.get() != 0) {
                                violations.add("a reader entered beside a writer");
                            }
                            if (token <= highestWriterToken.get()) {
                                violations.add("a reader's token " + token + " not above the last writer's");
                            }
                        }
                        highestToken.accumulateAndGet(token, Math::max);
                        // Readers stay long enough for the other side's writers to arrive while they hold.
                        Thread.sleep(ThreadLocalRandom.current().nextInt(write ? 1 : 5, write ? 4 : 20));
                        (write ? writersInside : readersInside).decrementAndGet();
                        lease.release();
                    }
                    return null;
                }));
            }
        }
        try {
            for (Future<?> worker : workers) {
                worker.get(2, TimeUnit.MINUTES);
            }
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(violations).isEmpty();
        assertThat(writes.get()).as("writes").isPositive();
        assertThat(mostReadersAtOnce.get()).as("readers that held the key together").isGreaterThan(1);
    }

    private static long granted(List<Future<AcquireResult>> attempts) throws Exception {
        long grants = 0;
        for (Future<AcquireResult> attempt : attempts) {
            if (attempt.get(30, TimeUnit.SECONDS).isGranted()) {
                grants++;
            }
        }
        return grants;
    }

    private static ZooKeeperLeaseBackend backend() {
        return ZooKeeperTestClients.backend(server.connectString(), ZooKeeperTestClients.LONG_SESSION);
    }

    /**
     * The last two readers releasing at the same moment each find the other's child and delete only their own; the
     * one that then finds the container empty deletes it, which is what a waiting writer's release watch waits for.
     * Before that deletion existed, the writer slept for the readers' whole lease after some of these rounds.
     */
    @Test
    void twoLastReadersReleasingAtOnceWakeTheWaitingWriterLongBeforeTheirLease() throws Exception {
        ZooKeeperLeaseBackend readers = backend();
        LockEngine writers = engine(backend());
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 20; round++) {
                String key = "two-last-readers-" + round + "-" + System.nanoTime();
                assertThat(readers.tryAcquireShared(key, "first-reader", LONG_LEASE).isGranted()).isTrue();
                assertThat(readers.tryAcquireShared(key, "second-reader", LONG_LEASE).isGranted()).isTrue();
                Future<Lease> writer = threads.submit(() -> writers.acquire(LockRequest.of(key, LONG_LEASE)
                    .withWaitTime(LONG_LEASE).withReentrant(false)));
                await().atMost(PATIENCE).until(() -> writers.waiterCount() == 1);
                CyclicBarrier together = new CyclicBarrier(2);
                Future<Boolean> first = threads.submit(() -> {
                    together.await();
                    return readers.releaseSharedIfOwner(key, "first-reader");
                });
                Future<Boolean> second = threads.submit(() -> {
                    together.await();
                    return readers.releaseSharedIfOwner(key, "second-reader");
                });
                assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
                assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
                // Well within the readers' 20 s lease: the writer was woken, not timed out.
                writer.get(5, TimeUnit.SECONDS).release();
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    private LockEngine engine(ZooKeeperLeaseBackend backend) {
        LockEngine engine = new LockEngine(backend,
                LockEngineSettings.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(50)));
        this.engines.add(engine);
        return engine;
    }

}
