package io.github.distlock.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.testservers.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared leases on etcd as the contract kit cannot see them: a reader whose process died, the readers' mark it
 * leaves, and readers and writers of two applications (two clients) on one key.
 */
class EtcdSharedLeaseTests {

    /** The reader's lease time: long enough that etcd's whole-second TTL is not raised. */
    private static final Duration READER_LEASE = Duration.ofSeconds(2);

    /** How long after the reader's TTL etcd may take to expire its lease and the watch to tell the writer. */
    private static final Duration EXPIRY_SLACK = Duration.ofSeconds(2);

    private static final Duration LEASE = Duration.ofSeconds(10);

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** How long the readers and writers of the overlap test run. */
    private static final Duration MIXED_RUN = Duration.ofSeconds(4);

    private static EtcdServer server;

    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = EtcdServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeOpened() throws Exception {
        for (int i = this.opened.size() - 1; i >= 0; i--) {
            this.opened.get(i).close();
        }
        this.opened.clear();
    }

    @Test
    void readerWhoseClientDiedStopsHoldingAtItsTtlAndAWaitingWriterGetsTheKey() throws Exception {
        String key = uniqueKey();
        Client readerClient = EtcdTestClients.client(server);
        EtcdLeaseBackend readerBackend = EtcdTestClients.backend(readerClient, server);
        AcquireResult read = readerBackend.tryAcquireShared(key, token(), READER_LEASE);
        assertThat(read.isGranted()).isTrue();
        // The reader's process dies: nothing releases or renews its lease.
        readerBackend.close();
        readerClient.close();
        long died = System.nanoTime();

        EtcdLeaseBackend writerBackend = backendOnItsOwnClient();
        Client inspector = clientOfItsOwn();
        assertThat(writerBackend.tryAcquire(key, token(), LEASE).isGranted()).as("a writer while the reader's lease lasts")
            .isFalse();
        LockEngine engine = engine(writerBackend);
        try (Lease writer = engine.acquire(LockRequest.of(key, LEASE).withWaitTime(WAIT))) {
            Duration waited = Duration.ofNanos(System.nanoTime() - died);
            assertThat(waited).as("the writer's wait").isLessThanOrEqualTo(READER_LEASE.plus(EXPIRY_SLACK));
            assertThat(writer.fencingToken().getAsLong()).isGreaterThan(read.fencingToken().getAsLong());
            assertThat(exists(inspector, writerBackend, key, "r")).as("the readers' mark the dead reader left").isFalse();
        }
    }

    @Test
    void lastReadersReleaseDeletesTheReadersMarkAndAnEndedIntentTheWritersMark() throws Exception {
        String key = uniqueKey();
        EtcdLeaseBackend backend = backendOnItsOwnClient();
        Client inspector = clientOfItsOwn();
        String first = token();
        String second = token();
        assertThat(backend.tryAcquireShared(key, first, LEASE).isGranted()).isTrue();
        assertThat(backend.tryAcquireShared(key, second, LEASE).isGranted()).isTrue();
        String writer = token();
        assertThat(backend.tryAcquireAsWaitingWriter(key, writer, LEASE, WAIT).isGranted()).isFalse();
        assertThat(exists(inspector, backend, key, "w/" + writer)).as("the writer's intent").isTrue();
        backend.endWriterIntent(key, writer);
        assertThat(exists(inspector, backend, key, "w/" + writer)).as("the ended intent").isFalse();
        assertThat(exists(inspector, backend, key, "w")).as("the writers' mark once nobody waits").isFalse();

        assertThat(backend.releaseSharedIfOwner(key, first)).isTrue();
        assertThat(exists(inspector, backend, key, "r")).as("the readers' mark while a reader holds").isTrue();
        assertThat(backend.releaseSharedIfOwner(key, second)).isTrue();
        assertThat(exists(inspector, backend, key, "r")).as("the readers' mark once the last reader left").isFalse();
    }

    @Test
    void readersAndWritersOfTwoClientsNeverOverlapAndWritersTokensExceedEveryEarlierToken() throws Exception {
        String key = uniqueKey();
        List<LockEngine> engines = List.of(engine(backendOnItsOwnClient()), engine(backendOnItsOwnClient()));
        AtomicInteger readers = new AtomicInteger();
        AtomicInteger writers = new AtomicInteger();
        AtomicInteger mostReadersAtOnce = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        AtomicLong highestEnded = new AtomicLong();
        AtomicLong highestWriterEnded = new AtomicLong();
        List<String> violations = new CopyOnWriteArrayList<>();
        long stopAt = System.nanoTime() + MIXED_RUN.toNanos();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            LockEngine engine = engines.get(i % 2);
            workers.add(CompletableFuture.runAsync(() -> {
                while (System.nanoTime() - stopAt < 0) {
                    boolean write = ThreadLocalRandom.current().nextInt(4) == 0;
                    LockRequest request = LockRequest.of(key, LEASE).withWaitTime(WAIT).withReentrant(false)
                        .withMode(write ? LockMode.WRITE : LockMode.READ);
                    Lease lease;
                    try {
                        lease = engine.acquire(request);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    long token = lease.fencingToken().getAsLong();
                    if (write) {
                        if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                            violations.add("a writer beside " + readers.get() + " readers and " + writers.get()
                                    + " writers");
                        }
                        // Nothing ends while a writer holds, so every lease that ended is older than this one.
                        if (token <= highestEnded.get()) {
                            violations.add("writer token " + token + " after token " + highestEnded.get());
                        }
                        writes.incrementAndGet();
                    }
                    else {
                        int now = readers.incrementAndGet();
                        mostReadersAtOnce.accumulateAndGet(now, Math::max);
                        if (writers.get() != 0) {
                            violations.add("a reader beside a writer");
                        }
                        if (token <= highestWriterEnded.get()) {
                            violations.add("reader token " + token + " after writer token " + highestWriterEnded.get());
                        }
                    }
                    pause();
                    // Counted out and recorded before the release, so that whoever comes next sees it.
                    highestEnded.accumulateAndGet(token, Math::max);
                    if (write) {
                        highestWriterEnded.accumulateAndGet(token, Math::max);
                        writers.decrementAndGet();
                    }
                    else {
                        readers.decrementAndGet();
                    }
                    lease.release();
                }
            }));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new))
            .get(MIXED_RUN.plus(WAIT).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(violations).isEmpty();
        assertThat(writes.get()).as("writes").isPositive();
        assertThat(mostReadersAtOnce.get()).as("the most readers that held at once").isGreaterThan(1);
    }

    private EtcdLeaseBackend backendOnItsOwnClient() {
        EtcdLeaseBackend backend = EtcdTestClients.backend(clientOfItsOwn(), server);
        this.opened.add(backend);
        return backend;
    }

    private Client clientOfItsOwn() {
        Client client = EtcdTestClients.client(server);
        this.opened.add(client);
        return client;
    }

    private LockEngine engine(EtcdLeaseBackend backend) {
        LockEngine engine = new LockEngine(backend);
        this.opened.add(engine);
        return engine;
    }

    // Whether the key beside the lock key (0xFF, then the suffix) exists.
    private static boolean exists(Client client, EtcdLeaseBackend backend, String key, String suffix) throws Exception {
        byte[] lock = backend.storedKeyText(key).getBytes(StandardCharsets.UTF_8);
        byte[] tail = suffix.getBytes(StandardCharsets.UTF_8);
        byte[] stored = new byte[lock.length + 1 + tail.length];
        System.arraycopy(lock, 0, stored, 0, lock.length);
        stored[lock.length] = (byte) 0xFF;
        System.arraycopy(tail, 0, stored, lock.length + 1, tail.length);
        return client.getKVClient().get(ByteSequence.from(stored)).get(5, TimeUnit.SECONDS).getCount() > 0;
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextInt(1, 6));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static String uniqueKey() {
        return "etcd-shared-" + token().substring(0, 12);
    }

    private static String token() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

}
