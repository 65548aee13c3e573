package io.github.distlock.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.spi.QueueingLeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;
import io.github.distlock.core.spi.SharedLeaseBackend;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract of a backend that grants shared leases ({@link SharedLeaseBackend}), as a mix-in for a test class that
 * extends {@link LeaseBackendContractTests} or {@link FencingLeaseBackendContractTests}:
 * <pre class="code">
 * class RedisLeaseBackendContractTest extends FencingLeaseBackendContractTests
 *         implements QueueingContract, SharedLeaseContract { ... }
 * </pre>
 * The tests run exactly when a test class declares the capability, so none is ever skipped; a backend that does not
 * implement {@link SharedLeaseBackend} fails them.
 *
 * <p>Besides the backend's rules (readers together, a writer alone, a waiting writer keeps new readers out, token
 * order, expiry and renewal of a shared lease), one test drives a {@link LockEngine}: a writer that waits while an
 * unbroken stream of overlapping readers holds the key gets it, which fails on a backend that ignores a waiting
 * writer.
 *
 * @since 0.1.0
 */
public interface SharedLeaseContract {

    /**
     * Returns the backend under test; {@link LeaseBackendContractTests#backend()} implements it.
     * @return the backend
     */
    LeaseBackend backend();

    /**
     * Returns a new random key; {@link LeaseBackendContractTests#uniqueKey()} implements it.
     * @return the key
     */
    String uniqueKey();

    /**
     * Returns a new random owner token; {@link LeaseBackendContractTests#newOwnerToken()} implements it.
     * @return the owner token
     */
    String newOwnerToken();

    /**
     * Returns the lease time of the tests that wait for a shared lease to expire; 300 ms unless overridden.
     * @return the lease time
     */
    default Duration sharedShortLease() {
        return ContractTiming.SHORT_LEASE;
    }

    @Test
    @DisplayName("shared: many readers hold the key at once, and a writer is refused until the last one released")
    default void manyReadersHoldAtOnceAndKeepWritersOut() {
        String key = uniqueKey();
        List<String> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String reader = newOwnerToken();
            assertThat(sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).isGranted())
                    .as("reader %d while %d readers hold the key", i + 1, i).isTrue();
            readers.add(reader);
        }
        String writer = newOwnerToken();
        for (String reader : readers) {
            assertThat(backend().tryAcquire(key, writer, ContractTiming.LONG_LEASE).isGranted())
                    .as("a writer's attempt while readers hold the key").isFalse();
            assertThat(sharing().releaseSharedIfOwner(key, reader)).as("a reader's release").isTrue();
        }
        assertThat(backend().tryAcquire(key, writer, ContractTiming.LONG_LEASE).isGranted())
                .as("a writer's attempt once every reader released").isTrue();
        assertThat(backend().releaseIfOwner(key, writer)).isTrue();
    }

    @Test
    @DisplayName("shared: a writer excludes readers and writers, and readers enter once it released")
    default void aWriterExcludesReadersAndWriters() {
        String key = uniqueKey();
        String writer = newOwnerToken();
        assertThat(backend().tryAcquire(key, writer, ContractTiming.LONG_LEASE).isGranted()).isTrue();
        String reader = newOwnerToken();
        assertThat(sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).isGranted())
                .as("a reader's attempt while a writer holds the key").isFalse();
        assertThat(backend().tryAcquire(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                .as("another writer's attempt while a writer holds the key").isFalse();
        assertThat(sharing().releaseSharedIfOwner(key, writer)).as("the writer's token released as a reader's")
                .isFalse();
        assertThat(backend().releaseIfOwner(key, writer)).isTrue();
        assertThat(sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).isGranted())
                .as("a reader's attempt once the writer released").isTrue();
        assertThat(backend().releaseIfOwner(key, reader)).as("a reader's token released as a writer's").isFalse();
        assertThat(sharing().releaseSharedIfOwner(key, reader)).isTrue();
        assertThat(sharing().releaseSharedIfOwner(key, reader)).as("a second release of the same reader").isFalse();
    }

    @Test
    @DisplayName("shared: a waiting writer keeps new readers out and gets the key once the last reader left")
    default void aWaitingWriterKeepsNewReadersOutAndGetsTheKeyFromTheLastReader() {
        String key = uniqueKey();
        String reader = newOwnerToken();
        assertThat(sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).isGranted()).isTrue();
        String writer = newOwnerToken();
        AtomicInteger announcements = new AtomicInteger();
        // A queue hands the key to the writer and tells it; without one, the last reader's release is announced.
        ReleaseSubscription subscription = null;
        if (backend() instanceof QueueingLeaseBackend queue) {
            subscription = queue.subscribeToHandOff(key, writer, announcements::incrementAndGet);
        }
        else if (backend() instanceof ReleaseNotifyingBackend notifier) {
            subscription = notifier.subscribeToReleases(key, announcements::incrementAndGet);
        }
        try {
            assertThat(sharing().tryAcquireAsWaitingWriter(key, writer, ContractTiming.LONG_LEASE,
                    ContractTiming.LONG_WAIT).isGranted()).as("a writer's attempt while a reader holds the key").isFalse();
            assertThat(sharing().tryAcquireShared(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                    .as("a new reader's attempt while a writer waits").isFalse();
            assertThat(sharing().renewSharedIfOwner(key, reader, ContractTiming.LONG_LEASE))
                    .as("the holding reader's renewal while a writer waits").isTrue();
            assertThat(sharing().releaseSharedIfOwner(key, reader)).isTrue();
            if (subscription != null) {
                await().atMost(ContractTiming.PATIENCE).pollInterval(ContractTiming.POLL_INTERVAL)
                        .until(() -> announcements.get() > 0);
            }
            assertThat(sharing().tryAcquireShared(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                    .as("a reader's attempt after the last reader left, while the writer still waits").isFalse();
            assertThat(sharing().tryAcquireAsWaitingWriter(key, writer, ContractTiming.LONG_LEASE,
                    ContractTiming.LONG_WAIT).isGranted()).as("the writer's attempt after the last reader left").isTrue();
        }
        finally {
            if (subscription != null) {
                subscription.close();
            }
        }
        assertThat(backend().releaseIfOwner(key, writer)).isTrue();
        assertThat(sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).isGranted())
                .as("a reader's attempt once the writer released and nobody waits").isTrue();
        assertThat(sharing().releaseSharedIfOwner(key, reader)).isTrue();
    }

    @Test
    @DisplayName("shared: a writer that stopped waiting no longer keeps readers out")
    default void aWriterThatEndedItsIntentNoLongerKeepsReadersOut() {
        String key = uniqueKey();
        String reader = newOwnerToken();
        assertThat(sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).isGranted()).isTrue();
        String writer = newOwnerToken();
        assertThat(sharing().tryAcquireAsWaitingWriter(key, writer, ContractTiming.LONG_LEASE,
                ContractTiming.LONG_WAIT).isGranted()).isFalse();
        sharing().endWriterIntent(key, writer);
        String second = newOwnerToken();
        assertThat(sharing().tryAcquireShared(key, second, ContractTiming.LONG_LEASE).isGranted())
                .as("a reader's attempt after the waiting writer ended its intent").isTrue();
        assertThat(sharing().releaseSharedIfOwner(key, reader)).isTrue();
        assertThat(sharing().releaseSharedIfOwner(key, second)).isTrue();
    }

    @Test
    @DisplayName("shared: a writer's intent ends with its wait, so a writer that vanished blocks readers no longer")
    default void aWritersIntentEndsWithItsWait() {
        String key = uniqueKey();
        String reader = newOwnerToken();
        assertThat(sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).isGranted()).isTrue();
        assertThat(sharing().tryAcquireAsWaitingWriter(key, newOwnerToken(), ContractTiming.LONG_LEASE,
                sharedShortLease()).isGranted()).isFalse();
        String second = newOwnerToken();
        assertThat(await().atMost(sharedShortLease().plus(ContractTiming.PATIENCE))
                .pollInterval(ContractTiming.POLL_INTERVAL)
                .until(() -> sharing().tryAcquireShared(key, second, ContractTiming.LONG_LEASE), AcquireResult::isGranted)
                .isGranted()).as("a reader's attempt after the writer's wait ended").isTrue();
        assertThat(sharing().releaseSharedIfOwner(key, reader)).isTrue();
        assertThat(sharing().releaseSharedIfOwner(key, second)).isTrue();
    }

    @Test
    @DisplayName("shared: ending a writer's intent releases a grant its wait received (a reply lost, a hand-off)")
    default void endingAWritersIntentReleasesAGrantItsWaitReceived() {
        String key = uniqueKey();
        String writer = newOwnerToken();
        assertThat(sharing().tryAcquireAsWaitingWriter(key, writer, ContractTiming.LONG_LEASE,
                ContractTiming.LONG_WAIT).isGranted()).isTrue();
        sharing().endWriterIntent(key, writer);
        String reader = newOwnerToken();
        assertThat(sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).isGranted())
                .as("a reader's attempt after the writer ended the wait whose attempt was granted").isTrue();
        assertThat(sharing().releaseSharedIfOwner(key, reader)).isTrue();
    }

    @Test
    @DisplayName("shared: with fencing, a writer's token is higher than every reader's and writer's token before it")
    default void aWritersTokenIsHigherThanEveryTokenIssuedBeforeIt() {
        if (!(backend() instanceof FencingLeaseBackend)) {
            assertThat(sharing().tryAcquireShared(uniqueKey(), newOwnerToken(), ContractTiming.LONG_LEASE)
                    .fencingToken()).as("a shared grant of a backend without fencing tokens").isEmpty();
            return;
        }
        String key = uniqueKey();
        String firstWriter = newOwnerToken();
        AcquireResult first = backend().tryAcquire(key, firstWriter, ContractTiming.LONG_LEASE);
        assertThat(backend().releaseIfOwner(key, firstWriter)).isTrue();
        long highest = first.fencingToken().getAsLong();
        List<String> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String reader = newOwnerToken();
            long token = sharing().tryAcquireShared(key, reader, ContractTiming.LONG_LEASE).fencingToken().getAsLong();
            assertThat(token).as("reader %d's token", i + 1).isGreaterThan(first.fencingToken().getAsLong());
            highest = Math.max(highest, token);
            readers.add(reader);
        }
        readers.forEach(reader -> assertThat(sharing().releaseSharedIfOwner(key, reader)).isTrue());
        String writer = newOwnerToken();
        AcquireResult next = backend().tryAcquire(key, writer, ContractTiming.LONG_LEASE);
        assertThat(next.fencingToken().getAsLong()).as("the next writer's token").isGreaterThan(highest);
        assertThat(backend().releaseIfOwner(key, writer)).isTrue();
    }

    @Test
    @DisplayName("shared: a shared lease expires after its lease time unless renewed, and renewal after expiry fails")
    default void aSharedLeaseExpiresUnlessRenewed() {
        String key = uniqueKey();
        String renewed = newOwnerToken();
        String lapsing = newOwnerToken();
        assertThat(sharing().tryAcquireShared(key, renewed, sharedShortLease()).isGranted()).isTrue();
        assertThat(sharing().tryAcquireShared(key, lapsing, sharedShortLease()).isGranted()).isTrue();
        assertThat(sharing().renewSharedIfOwner(key, renewed, ContractTiming.LONG_LEASE)).isTrue();
        LeaseBackendContractTests.pause(sharedShortLease().multipliedBy(2));
        assertThat(sharing().renewSharedIfOwner(key, lapsing, ContractTiming.LONG_LEASE))
                .as("renewal of a shared lease that expired").isFalse();
        assertThat(backend().tryAcquire(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                .as("a writer's attempt while the renewed reader still holds the key").isFalse();
        assertThat(sharing().releaseSharedIfOwner(key, renewed)).isTrue();
        String writer = newOwnerToken();
        assertThat(backend().tryAcquire(key, writer, ContractTiming.LONG_LEASE).isGranted())
                .as("a writer's attempt once the renewed reader released and the other expired").isTrue();
        assertThat(backend().releaseIfOwner(key, writer)).isTrue();
    }

    @Test
    @DisplayName("shared: through the engine, a waiting writer gets the key from an unbroken stream of overlapping readers")
    default void aWriterIsNotStarvedByOverlappingReaders() throws Exception {
        String key = uniqueKey();
        LockRequest read = LockRequest.of(key, ContractTiming.LONG_LEASE).withMode(LockMode.READ).withReentrant(false);
        try (LockEngine engine = new LockEngine(backend(),
                LockEngineSettings.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(20)))) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger overlappingReads = new AtomicInteger();
            // Each new reader enters before the one before it leaves, so readers never all leave on their own.
            CompletableFuture<Void> readers = CompletableFuture.runAsync(() -> {
                try {
                    Lease current = engine.acquire(read.withWaitTime(ContractTiming.LONG_WAIT));
                    while (!stop.get()) {
                        Optional<Lease> next = engine.tryAcquire(read);
                        current.release();
                        if (next.isPresent()) {
                            overlappingReads.incrementAndGet();
                            current = next.get();
                        }
                        else {
                            current = engine.acquire(read.withWaitTime(ContractTiming.LONG_WAIT));
                        }
                        TimeUnit.MILLISECONDS.sleep(5);
                    }
                    current.release();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                await().atMost(ContractTiming.PATIENCE).until(() -> overlappingReads.get() >= 5);
                Lease writer = engine.acquire(LockRequest.of(key, ContractTiming.LONG_LEASE)
                    .withWaitTime(ContractTiming.STARVATION_WAIT));
                int readsBeforeTheWriterReleased = overlappingReads.get();
                assertThat(engine.tryAcquire(read)).as("a reader's attempt while the writer holds the key").isEmpty();
                writer.release();
                await().atMost(ContractTiming.PATIENCE).until(() -> overlappingReads.get() > readsBeforeTheWriterReleased);
            }
            finally {
                stop.set(true);
                readers.get(ContractTiming.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private SharedLeaseBackend sharing() {
        assertThat(backend()).as("a test class that implements SharedLeaseContract needs a backend that implements "
                + "SharedLeaseBackend").isInstanceOf(SharedLeaseBackend.class);
        return (SharedLeaseBackend) backend();
    }

}
