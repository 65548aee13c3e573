package io.github.distlock.etcd;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.testservers.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the contract kit cannot see: etcd's leases and revisions, and a server that stops, restarts or answers
 * nothing. Each test has a one-member etcd of its own.
 */
class EtcdLeaseBackendTests {

    private static final SecureRandom random = new SecureRandom();

    private static final Duration LEASE = Duration.ofSeconds(3);

    private EtcdServer server;

    private Client client;

    private EtcdLeaseBackend backend;

    private LockEngine engine;

    @BeforeEach
    void start() {
        this.server = EtcdServer.start();
        this.client = EtcdTestClients.client(this.server);
        this.backend = EtcdTestClients.backend(this.client, this.server);
        this.engine = new LockEngine(this.backend);
    }

    @AfterEach
    void stop() {
        this.engine.close();
        this.backend.close();
        this.client.close();
        this.server.close();
    }

    @Test
    void refusedAttemptTellsTheHoldersRemainingLeaseAndLeavesItsKeyAlone() throws Exception {
        String key = uniqueKey();
        String holder = token();
        assertThat(this.backend.tryAcquire(key, holder, LEASE).isGranted()).isTrue();
        KeyValue before = storedKey(key);
        AcquireResult refused = this.backend.tryAcquire(key, token(), LEASE);
        assertThat(refused.isGranted()).isFalse();
        assertThat(refused.holderRemaining()).hasValueSatisfying(
                remaining -> assertThat(remaining).isLessThanOrEqualTo(LEASE));
        KeyValue after = storedKey(key);
        assertThat(after.getModRevision()).isEqualTo(before.getModRevision());
        assertThat(after.getValue().toString()).isEqualTo(holder);
    }

    @Test
    void fencingTokenIsTheKeysCreateRevision() throws Exception {
        String key = uniqueKey();
        long token = this.backend.tryAcquire(key, token(), LEASE).fencingToken().orElseThrow();
        assertThat(storedKey(key).getCreateRevision()).isEqualTo(token);
    }

    @Test
    void renewalWithALongerLeaseTimeMovesTheKeyToANewLeaseAndKeepsItsToken() throws Exception {
        String key = uniqueKey();
        String owner = token();
        long token = this.backend.tryAcquire(key, owner, Duration.ofSeconds(1)).fencingToken().orElseThrow();
        long firstLease = storedKey(key).getLease();
        assertThat(this.backend.renewIfOwner(key, owner, Duration.ofSeconds(30))).isTrue();
        KeyValue renewed = storedKey(key);
        assertThat(renewed.getLease()).isNotEqualTo(firstLease);
        assertThat(renewed.getCreateRevision()).isEqualTo(token);
        assertThat(remainingSeconds(firstLease)).as("TTL of the first lease, revoked").isEqualTo(-1);
    }

    @Test
    void releaseRevokesTheHoldersLease() throws Exception {
        String key = uniqueKey();
        String owner = token();
        this.backend.tryAcquire(key, owner, LEASE);
        long lease = storedKey(key).getLease();
        assertThat(this.backend.releaseIfOwner(key, owner)).isTrue();
        assertThat(remainingSeconds(lease)).as("TTL of the released lease").isEqualTo(-1);
    }

    @Test
    void acquireWhileTheServerIsDownFailsWithLockUnavailableExceptionWithinTheTimeLimit() {
        this.server.kill();
        long start = System.nanoTime();
        assertThatThrownBy(() -> this.engine.tryAcquire(LockRequest.of(uniqueKey(), LEASE)))
            .isInstanceOf(LockUnavailableException.class)
            .cause()
            .isInstanceOf(EtcdUnavailableException.class)
            .hasMessageContaining(this.server.endpoint());
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isLessThan(this.backend.options().requestTimeout().plusSeconds(1));
    }

    @Test
    void tokensKeepIncreasingAfterTheServerRestartsAndAcquiresWorkAgain() {
        String key = uniqueKey();
        String owner = token();
        long before = this.backend.tryAcquire(key, owner, LEASE).fencingToken().orElseThrow();
        assertThat(this.backend.releaseIfOwner(key, owner)).isTrue();
        this.server.restart();
        AtomicLong after = new AtomicLong();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            AcquireResult result = this.backend.tryAcquire(key, token(), LEASE);
            assertThat(result.isGranted()).isTrue();
            after.set(result.fencingToken().orElseThrow());
        });
        assertThat(after.get()).isGreaterThan(before);
    }

    @Test
    void holderLearnsItsLossNoLaterThanTheEndOfItsValidityWhileTheServerAnswersNothing() throws Exception {
        Lease lease = this.engine.acquire(LockRequest.of(uniqueKey(), LEASE));
        long acquired = System.nanoTime();
        AtomicLong lostAt = new AtomicLong();
        lease.addLossListener((lost, reason) -> lostAt.set(System.nanoTime()));
        this.server.pause();
        try {
            await().atMost(LEASE.plusSeconds(2)).until(() -> lostAt.get() != 0);
        }
        finally {
            this.server.resume();
        }
        assertThat(Duration.ofNanos(lostAt.get() - acquired)).isLessThanOrEqualTo(LEASE);
        assertThat(lease.isHeld()).isFalse();
    }

    @Test
    void holderLearnsItsLossWithinARenewalIntervalWhenItsEtcdLeaseEnds() throws Exception {
        String key = uniqueKey();
        Lease lease = this.engine.acquire(LockRequest.of(key, Duration.ofSeconds(6)));
        // The lease ends behind the holder's back, as when etcd expires it after a partition.
        this.client.getLeaseClient().revoke(storedKey(key).getLease()).get(5, TimeUnit.SECONDS);
        long revoked = System.nanoTime();
        Duration bound = this.engine.settings().renewalIntervalFor(Duration.ofSeconds(6))
            .plus(this.backend.options().requestTimeout());
        await().atMost(bound.plusSeconds(1)).until(() -> !lease.isHeld());
        assertThat(Duration.ofNanos(System.nanoTime() - revoked)).isLessThanOrEqualTo(bound.plusSeconds(1));
    }

    /**
     * etcd #22082: an unlock retried after its reply was lost deleted the next holder's lock, because it deleted by
     * key name. Here a release is guarded by the owner token, so its retry finds another owner and deletes nothing.
     */
    @Test
    void releaseRetriedAfterTheNextHolderTookTheKeyLeavesTheNextHoldersKey() throws Exception {
        String key = uniqueKey();
        String first = token();
        String next = token();
        assertThat(this.backend.tryAcquire(key, first, LEASE).isGranted()).isTrue();
        assertThat(this.backend.releaseIfOwner(key, first)).isTrue();
        AcquireResult nextGrant = this.backend.tryAcquire(key, next, LEASE);
        assertThat(nextGrant.isGranted()).isTrue();

        // The first release again, as a client that never saw its reply would send it.
        assertThat(this.backend.releaseIfOwner(key, first)).as("the retried release").isFalse();
        KeyValue stored = storedKey(key);
        assertThat(stored.getValue().toString(StandardCharsets.UTF_8)).isEqualTo(next);
        assertThat(stored.getCreateRevision()).isEqualTo(nextGrant.fencingToken().getAsLong());
        assertThat(this.backend.renewIfOwner(key, next, LEASE)).as("the next holder keeps the key").isTrue();
    }

    /**
     * etcd #11456 (found by Jepsen): etcd's lock service granted the lock to a waiter whose lease had expired while
     * it waited. Here a waiter holds no etcd lease while it waits: each attempt is granted a fresh one, so a waiter
     * that waited far longer than its lease time is granted on a live lease, which its renewals keep.
     */
    @Test
    void waiterThatWaitedLongerThanItsLeaseTimeIsGrantedOnALiveLease() throws Exception {
        String key = uniqueKey();
        String holder = token();
        // Long enough to last until the holder releases: nothing renews it.
        assertThat(this.backend.tryAcquire(key, holder, Duration.ofSeconds(10)).isGranted()).isTrue();
        // Two seconds, so that the remaining TTL etcd reports (whole seconds, rounded down) is at least 1 at once.
        Duration waiterLease = Duration.ofSeconds(2);
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(waiterLease.multipliedBy(5).dividedBy(2).toMillis());
                this.backend.releaseIfOwner(key, holder);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        releaser.start();
        long waitStarted = System.nanoTime();
        try (Lease lease = this.engine.acquire(LockRequest.of(key, waiterLease).withWaitTime(LEASE.multipliedBy(3)))) {
            assertThat(Duration.ofNanos(System.nanoTime() - waitStarted)).as("the wait")
                .isGreaterThan(waiterLease.multipliedBy(2));
            KeyValue stored = storedKey(key);
            assertThat(stored.getValue().toString(StandardCharsets.UTF_8)).isEqualTo(lease.ownerToken());
            assertThat(remainingSeconds(stored.getLease())).as("the granted lease's TTL").isPositive();
            Thread.sleep(waiterLease.multipliedBy(2).toMillis());
            assertThat(lease.isHeld()).as("held past its lease time by renewals").isTrue();
            // etcd reports -1 for a lease that no longer exists.
            assertThat(remainingSeconds(storedKey(key).getLease())).isNotNegative();
        }
        finally {
            releaser.join();
        }
    }

    private long remainingSeconds(long lease) throws Exception {
        return this.client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL();
    }

    private KeyValue storedKey(String key) throws Exception {
        ByteSequence stored = ByteSequence.from(this.backend.storedKeyText(key), StandardCharsets.UTF_8);
        return this.client.getKVClient().get(stored).get(5, TimeUnit.SECONDS).getKvs().get(0);
    }

    private static String uniqueKey() {
        return "etcd-test-" + token().substring(0, 12);
    }

    private static String token() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

}
