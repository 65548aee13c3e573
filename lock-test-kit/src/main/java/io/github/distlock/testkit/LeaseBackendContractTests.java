package io.github.distlock.testkit;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.LeaseBackend;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link LeaseBackend} must pass: one atomic attempt, owner-checked renew and release, expiry
 * on the service's clock, no recreation of a lost key, distinct keys kept distinct, and mutual exclusion under
 * contention through a {@link LockEngine}, for one key and for overlapping sets of keys taken together.
 *
 * <p>A backend's test extends this class and implements {@link #createBackend()}; everything else is inherited:
 * <pre class="code">
 * class RedisLeaseBackendContractTest extends LeaseBackendContractTests {
 *
 *     &#64;Override
 *     protected LeaseBackend createBackend() {
 *         return new RedisLeaseBackend(...);
 *     }
 *
 * }
 * </pre>
 * A backend that issues fencing tokens extends {@link FencingLeaseBackendContractTests} instead, and one that
 * announces releases also implements {@link ReleaseNotificationContract}. No test is ever skipped.
 *
 * <p>Each test gets a fresh backend from {@link #createBackend()} (created on first use, so a subclass may prepare
 * it in its own {@code @BeforeEach}) and random keys from {@link #uniqueKey()}, so tests never see each other's
 * keys on a shared server. After each test the kit releases every lease it was granted, closes the engines it
 * created and closes the backend. A backend whose expiry is coarser than a few hundred milliseconds overrides
 * {@link #shortLease()}.
 *
 * <p>Not thread-safe itself; the tests drive the backend from several threads.
 *
 * @since 0.1.0
 */
public abstract class LeaseBackendContractTests {

    private static final int CONTENTION_THREADS = 8;

    private static final int CONTENTION_ITERATIONS = 200;

    private static final int SET_THREADS = 6;

    private static final int SET_ITERATIONS = 25;

    private static final SecureRandom random = new SecureRandom();

    // Created on first use by the test thread; read by the helper threads a test starts after that.
    private volatile @Nullable LeaseBackend backend;

    private final Queue<Grant> grants = new ConcurrentLinkedQueue<>();

    private final Queue<LockEngine> engines = new ConcurrentLinkedQueue<>();

    /**
     * Creates the backend under test. Called at most once per test; the kit closes the backend after the test.
     * Backends created for different tests may share a server: the kit's keys are random.
     * @return a new backend
     */
    protected abstract LeaseBackend createBackend();

    /**
     * Returns the lease time of tests that wait for a lease to expire. Override it when the backend cannot expire
     * a lease this quickly (for example when expiry is bound to a session timeout).
     * @return the short lease time, 300 ms unless overridden
     */
    protected Duration shortLease() {
        return ContractTiming.SHORT_LEASE;
    }

    /**
     * Returns the backend under test, creating it on first use.
     * @return the backend of the current test
     */
    public final LeaseBackend backend() {
        LeaseBackend current = this.backend;
        if (current == null) {
            synchronized (this) {
                current = this.backend;
                if (current == null) {
                    current = createBackend();
                    this.backend = current;
                }
            }
        }
        return current;
    }

    /**
     * Returns a new random key, so that no two tests (or runs) share a key.
     * @return a key of about 30 characters
     */
    public final String uniqueKey() {
        return "contract-" + randomHex(8);
    }

    /**
     * Returns a new owner token of 128 random bits, as the engine would pass one.
     * @return the owner token
     */
    public final String newOwnerToken() {
        return randomHex(16);
    }

    /**
     * Makes one attempt on the backend and remembers a grant, so that the kit releases it after the test.
     * @param key the key
     * @param ownerToken the owner token
     * @param leaseTime the lease time
     * @return the backend's result
     */
    protected final AcquireResult attempt(String key, String ownerToken, Duration leaseTime) {
        AcquireResult result = backend().tryAcquire(key, ownerToken, leaseTime);
        if (result.isGranted()) {
            this.grants.add(new Grant(key, ownerToken));
        }
        return result;
    }

    /**
     * Takes a key that must be free, for a new owner.
     * @param key the key
     * @param leaseTime the lease time
     * @return the owner token the key was granted to
     */
    protected final String grant(String key, Duration leaseTime) {
        String owner = newOwnerToken();
        assertThat(attempt(key, owner, leaseTime).isGranted())
                .as("a free key '%s' must be granted; does it collide with another key?", key).isTrue();
        return owner;
    }

    /**
     * Polls one attempt after another until the key is granted to the owner, as it must be once the current
     * holder's lease expired.
     * @param key the key
     * @param ownerToken the owner token
     * @param leaseTime the lease time
     * @return the granting result
     */
    protected final AcquireResult awaitGrant(String key, String ownerToken, Duration leaseTime) {
        return await().atMost(shortLease().plus(ContractTiming.PATIENCE)).pollInterval(ContractTiming.POLL_INTERVAL)
                .until(() -> attempt(key, ownerToken, leaseTime), AcquireResult::isGranted);
    }

    /**
     * Creates an engine over the backend under test, closed by the kit after the test. Its backoff is short so
     * that contention tests finish quickly on backends without release notification.
     * @return the engine
     */
    protected final LockEngine newEngine() {
        LockEngine engine = new LockEngine(backend(),
                LockEngineSettings.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(20)));
        this.engines.add(engine);
        return engine;
    }

    /**
     * Lets the given time pass without asserting anything.
     * @param duration how long to wait
     */
    protected static void pause(Duration duration) {
        await().pollDelay(duration).atMost(duration.plus(ContractTiming.PATIENCE)).until(() -> true);
    }

    /**
     * Runs the action on a new thread and returns its result.
     * @param <T> the result type
     * @param action what to run
     * @return the action's result
     * @throws Exception whatever the action threw
     */
    protected static <T> T onAnotherThread(Callable<T> action) throws Exception {
        FutureTask<T> task = new FutureTask<>(action);
        Thread thread = new Thread(task, "contract-other-thread");
        thread.start();
        try {
            return task.get(ContractTiming.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException ex) {
            throw (ex.getCause() instanceof Exception cause) ? cause : ex;
        }
    }

    /**
     * Releases every lease the kit was granted (best effort: the server may already be gone), then closes the
     * engines and the backend the kit created.
     */
    @AfterEach
    protected final void closeWhatTheKitCreated() {
        this.engines.forEach(LockEngine::close);
        LeaseBackend current = this.backend;
        if (current == null) {
            return;
        }
        try {
            for (Grant grant : this.grants) {
                try {
                    current.releaseIfOwner(grant.key(), grant.owner());
                }
                catch (RuntimeException ex) {
                    // Best effort: a lease left behind expires on the server.
                }
            }
        }
        finally {
            current.close();
        }
    }

    /**
     * Runs eight threads that each try to enter a critical section on one key two hundred times through a
     * {@link LockEngine}, alternating single attempts and waiting acquires. Inside, each detects overlap with an
     * "inside" flag and increments a counter non-atomically.
     * @param key the contended key
     * @param insideTheLock extra work done inside each critical section, with its lease
     * @return what the threads observed
     * @throws Exception if a thread failed
     */
    protected final ContentionOutcome runContention(String key, Consumer<Lease> insideTheLock) throws Exception {
        LockEngine engine = newEngine();
        LockRequest attemptOnce = new LockRequest(key, ContractTiming.LONG_LEASE, Duration.ZERO, false, false);
        LockRequest waitForIt = attemptOnce.withWaitTime(ContractTiming.LONG_WAIT);
        CriticalSection section = new CriticalSection(insideTheLock);
        CountDownLatch start = new CountDownLatch(1);
        List<FutureTask<Void>> workers = new ArrayList<>();
        for (int i = 0; i < CONTENTION_THREADS; i++) {
            FutureTask<Void> worker = new FutureTask<>(() -> {
                start.await();
                for (int iteration = 0; iteration < CONTENTION_ITERATIONS; iteration++) {
                    Optional<Lease> lease = (iteration % 2 == 0) ? engine.tryAcquire(attemptOnce)
                            : Optional.of(engine.acquire(waitForIt));
                    if (lease.isPresent()) {
                        try (Lease held = lease.get()) {
                            section.enter(held);
                        }
                    }
                }
                return null;
            });
            workers.add(worker);
            new Thread(worker, "contract-contender-" + i).start();
        }
        start.countDown();
        awaitWorkers(workers);
        return new ContentionOutcome(section.entries.get(), section.overlaps.get(), section.counter);
    }

    /** Waits for the contention workers, all within one contention timeout, and rethrows the first failure. */
    private static void awaitWorkers(List<FutureTask<Void>> workers) throws Exception {
        long deadline = System.nanoTime() + ContractTiming.CONTENTION_TIMEOUT.toNanos();
        for (FutureTask<Void> worker : workers) {
            try {
                worker.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (ExecutionException ex) {
                throw (ex.getCause() instanceof Exception cause) ? cause : ex;
            }
        }
    }

    private static String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    private String keyOfLength(int length, char last) {
        String base = uniqueKey();
        String body = (base.length() >= length - 1) ? base.substring(0, length - 1)
                : base + "x".repeat(length - 1 - base.length());
        return body + last;
    }

    /**
     * Takes every key for its own owner, then checks that no owner can release another key: keys that the backend
     * stored in one entry would fail either step.
     */
    private void assertKeysStayDistinct(List<String> keys) {
        List<String> owners = new ArrayList<>();
        for (String key : keys) {
            owners.add(grant(key, ContractTiming.LONG_LEASE));
        }
        for (int i = 0; i < keys.size(); i++) {
            for (int j = 0; j < keys.size(); j++) {
                if (i != j) {
                    assertThat(backend().releaseIfOwner(keys.get(i), owners.get(j)))
                            .as("the owner of '%s' must not release '%s'", keys.get(j), keys.get(i)).isFalse();
                }
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(backend().releaseIfOwner(keys.get(i), owners.get(i))).as("release of '%s'", keys.get(i))
                    .isTrue();
        }
    }

    /**
     * What the contention threads observed.
     * @param criticalSections how many critical sections were entered (granted leases)
     * @param overlaps how many times a thread entered while another was inside
     * @param counter the final value of the counter incremented non-atomically in each critical section
     */
    protected record ContentionOutcome(int criticalSections, int overlaps, int counter) {
    }

    private record Grant(String key, String owner) {
    }

    private static final class CriticalSection {

        private final Consumer<Lease> work;

        private final AtomicBoolean inside = new AtomicBoolean();

        private final AtomicInteger overlaps = new AtomicInteger();

        private final AtomicInteger entries = new AtomicInteger();

        // Written only inside the lock; volatile so that a lost update shows up as a value, not as a stale cache.
        private volatile int counter;

        CriticalSection(Consumer<Lease> work) {
            this.work = work;
        }

        void enter(Lease lease) {
            if (!this.inside.compareAndSet(false, true)) {
                this.overlaps.incrementAndGet();
            }
            int read = this.counter;
            Thread.yield();
            this.counter = read + 1;
            this.work.accept(lease);
            this.inside.set(false);
            this.entries.incrementAndGet();
        }

    }

    @Nested
    @DisplayName("acquire")
    class Acquire {

        @Test
        void freeKeyIsGranted() {
            assertThat(attempt(uniqueKey(), newOwnerToken(), ContractTiming.LONG_LEASE).isGranted()).isTrue();
        }

        @Test
        void heldKeyIsRefusedToEveryOtherOwner() {
            String key = uniqueKey();
            grant(key, ContractTiming.LONG_LEASE);
            for (int i = 0; i < 3; i++) {
                AcquireResult refused = attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE);
                assertThat(refused.isGranted()).isFalse();
                assertThat(refused.fencingToken()).isEmpty();
                refused.holderRemaining().ifPresent(remaining -> assertThat(remaining)
                        .as("the holder's remaining time").isBetween(Duration.ZERO, ContractTiming.LONG_LEASE));
            }
        }

        @Test
        void refusedAttemptLeavesTheHolderInPlace() {
            String key = uniqueKey();
            String holder = grant(key, ContractTiming.LONG_LEASE);
            attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE);
            assertThat(backend().renewIfOwner(key, holder, ContractTiming.LONG_LEASE)).isTrue();
            assertThat(backend().releaseIfOwner(key, holder)).isTrue();
        }

    }

    @Nested
    @DisplayName("release")
    class Release {

        @Test
        void releasedKeyIsGrantedToANewOwner() {
            String key = uniqueKey();
            String owner = grant(key, ContractTiming.LONG_LEASE);
            assertThat(backend().releaseIfOwner(key, owner)).isTrue();
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted()).isTrue();
        }

        @Test
        void ownerCanReleaseFromAnotherThread() throws Exception {
            String key = uniqueKey();
            String owner = grant(key, ContractTiming.LONG_LEASE);
            assertThat(onAnotherThread(() -> backend().releaseIfOwner(key, owner))).isTrue();
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted()).isTrue();
        }

        @Test
        void releaseByAnotherOwnerReturnsFalseAndLeavesTheLeaseIntact() throws Exception {
            String key = uniqueKey();
            String owner = grant(key, ContractTiming.LONG_LEASE);
            String stranger = newOwnerToken();
            assertThat(backend().releaseIfOwner(key, stranger)).isFalse();
            assertThat(onAnotherThread(() -> backend().releaseIfOwner(key, stranger))).isFalse();
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted()).isFalse();
            assertThat(backend().releaseIfOwner(key, owner)).isTrue();
        }

        @Test
        void retriedReleaseDoesNotDeleteTheNextOwnersLease() {
            String key = uniqueKey();
            String first = grant(key, ContractTiming.LONG_LEASE);
            assertThat(backend().releaseIfOwner(key, first)).isTrue();
            String second = grant(key, ContractTiming.LONG_LEASE);
            assertThat(backend().releaseIfOwner(key, first)).as("a retried release").isFalse();
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted()).isFalse();
            assertThat(backend().releaseIfOwner(key, second)).isTrue();
        }

        @Test
        void releaseOfAKeyNobodyHoldsReturnsFalse() {
            assertThat(backend().releaseIfOwner(uniqueKey(), newOwnerToken())).isFalse();
        }

    }

    @Nested
    @DisplayName("expiry")
    class Expiry {

        @Test
        void expiredLeaseIsGrantedToAnotherOwnerButNotBeforeItsLeaseTime() {
            String key = uniqueKey();
            long start = System.nanoTime();
            grant(key, shortLease());
            awaitGrant(key, newOwnerToken(), ContractTiming.LONG_LEASE);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until the key was free again")
                    .isGreaterThanOrEqualTo(shortLease().minus(ContractTiming.EXPIRY_TOLERANCE));
        }

        @Test
        void renewOfAnExpiredKeyReturnsFalseAndDoesNotRecreateIt() {
            String key = uniqueKey();
            String owner = grant(key, shortLease());
            pause(shortLease().multipliedBy(2));
            assertThat(backend().renewIfOwner(key, owner, ContractTiming.LONG_LEASE)).isFalse();
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                    .as("the key must still be free after the refused renewal").isTrue();
        }

    }

    @Nested
    @DisplayName("ownership after takeover")
    class Takeover {

        private final String key = uniqueKey();

        private String staleHolder = "";

        private String newOwner = "";

        private void takeOverAfterExpiry() {
            this.staleHolder = grant(this.key, shortLease());
            String next = newOwnerToken();
            awaitGrant(this.key, next, ContractTiming.LONG_LEASE);
            this.newOwner = next;
        }

        private void assertNewOwnerStillHoldsTheKey() {
            assertThat(attempt(this.key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted()).isFalse();
            assertThat(backend().renewIfOwner(this.key, this.newOwner, ContractTiming.LONG_LEASE)).isTrue();
            assertThat(backend().releaseIfOwner(this.key, this.newOwner)).isTrue();
        }

        @Test
        void staleHolderCannotRenewNewOwnersLease() {
            takeOverAfterExpiry();
            assertThat(backend().renewIfOwner(this.key, this.staleHolder, ContractTiming.LONG_LEASE)).isFalse();
            assertNewOwnerStillHoldsTheKey();
        }

        @Test
        void staleHolderCannotReleaseNewOwnersLease() {
            takeOverAfterExpiry();
            assertThat(backend().releaseIfOwner(this.key, this.staleHolder)).isFalse();
            assertNewOwnerStillHoldsTheKey();
        }

    }

    @Nested
    @DisplayName("renewal")
    class Renewal {

        @Test
        void renewedLeaseOutlivesItsOriginalLeaseTime() {
            String key = uniqueKey();
            Duration originalLease = shortLease().multipliedBy(3);
            String owner = grant(key, originalLease);
            assertThat(backend().renewIfOwner(key, owner, ContractTiming.LONG_LEASE)).isTrue();
            pause(originalLease.plus(shortLease()));
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                    .as("the renewed lease must still be held").isFalse();
            assertThat(backend().renewIfOwner(key, owner, ContractTiming.LONG_LEASE)).isTrue();
        }

        @Test
        void renewByAnotherOwnerReturnsFalseAndLeavesTheLeaseIntact() {
            String key = uniqueKey();
            String owner = grant(key, ContractTiming.LONG_LEASE);
            assertThat(backend().renewIfOwner(key, newOwnerToken(), ContractTiming.LONG_LEASE)).isFalse();
            assertThat(backend().releaseIfOwner(key, owner)).isTrue();
        }

        @Test
        void renewOfAReleasedKeyReturnsFalseAndDoesNotRecreateIt() {
            String key = uniqueKey();
            String owner = grant(key, ContractTiming.LONG_LEASE);
            assertThat(backend().releaseIfOwner(key, owner)).isTrue();
            assertThat(backend().renewIfOwner(key, owner, ContractTiming.LONG_LEASE)).isFalse();
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted())
                    .as("the key must still be free after the refused renewal").isTrue();
        }

        @Test
        void renewOfAKeyNobodyHoldsReturnsFalseAndDoesNotCreateIt() {
            String key = uniqueKey();
            assertThat(backend().renewIfOwner(key, newOwnerToken(), ContractTiming.LONG_LEASE)).isFalse();
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted()).isTrue();
        }

    }

    @Nested
    @DisplayName("keys")
    class Keys {

        @Test
        void unicodeKeysWorkAndStayDistinct() {
            String base = uniqueKey();
            assertKeysStayDistinct(List.of(base + "-ключ", base + "-鍵", base + "-🔒", base + "-\u00e9",
                    base + "-e\u0301"));
        }

        @Test
        void keysWithSlashesAndColonsStayDistinct() {
            String a = uniqueKey();
            assertKeysStayDistinct(List.of(a, a + "/x", a + ":x", a + "/", a + ":"));
        }

        @Test
        void keysDifferingOnlyInCaseOrTrailingSpaceStayDistinct() {
            String base = uniqueKey();
            assertKeysStayDistinct(List.of(base + "a", base + "A", base + "a "));
        }

        @Test
        void keyOfMaximumLengthCanBeAcquiredRenewedAndReleased() {
            String key = keyOfLength(backend().maxKeyLength(), 'x');
            assertThat(key).hasSize(backend().maxKeyLength());
            String owner = grant(key, ContractTiming.LONG_LEASE);
            assertThat(attempt(key, newOwnerToken(), ContractTiming.LONG_LEASE).isGranted()).isFalse();
            assertThat(backend().renewIfOwner(key, owner, ContractTiming.LONG_LEASE)).isTrue();
            assertThat(backend().releaseIfOwner(key, owner)).isTrue();
        }

        @Test
        void keysOfMaximumLengthDifferingOnlyInTheirLastCharacterStayDistinct() {
            String first = keyOfLength(backend().maxKeyLength(), 'a');
            String second = first.substring(0, first.length() - 1) + 'b';
            assertKeysStayDistinct(List.of(first, second));
        }

    }

    @Nested
    @DisplayName("contention")
    class Contention {

        @Test
        void criticalSectionsThroughAnEngineNeverOverlap() throws Exception {
            ContentionOutcome outcome = runContention(uniqueKey(), lease -> {
            });
            assertThat(outcome.overlaps()).as("overlapping critical sections").isZero();
            assertThat(outcome.counter()).as("counter after %s critical sections", outcome.criticalSections())
                    .isEqualTo(outcome.criticalSections());
            assertThat(outcome.criticalSections()).as("every waiting acquire must succeed")
                    .isGreaterThanOrEqualTo(CONTENTION_THREADS * CONTENTION_ITERATIONS / 2);
        }

        /**
         * Threads that each lock random sets of one to five of six keys with {@link LockEngine#acquireAll}, given in
         * random order: with every set taken in sorted order no two calls wait for each other in a cycle, so every
         * call is granted well within its wait, and no key ever has two holders.
         */
        @Test
        void overlappingKeySetsTakenTogetherNeitherDeadlockNorOverlap() throws Exception {
            LockEngine engine = newEngine();
            String prefix = uniqueKey() + "-";
            Map<String, Thread> holders = new ConcurrentHashMap<>();
            AtomicInteger overlaps = new AtomicInteger();
            AtomicInteger granted = new AtomicInteger();
            List<FutureTask<Void>> workers = new ArrayList<>();
            for (int i = 0; i < SET_THREADS; i++) {
                FutureTask<Void> worker = new FutureTask<>(() -> {
                    for (int iteration = 0; iteration < SET_ITERATIONS; iteration++) {
                        List<String> keys = new ArrayList<>();
                        for (int k = 0; k < 6; k++) {
                            keys.add(prefix + k);
                        }
                        Collections.shuffle(keys, ThreadLocalRandom.current());
                        keys = keys.subList(0, 1 + ThreadLocalRandom.current().nextInt(5));
                        List<LockRequest> requests = new ArrayList<>();
                        for (String key : keys) {
                            requests.add(new LockRequest(key, ContractTiming.LONG_LEASE, ContractTiming.LONG_WAIT,
                                    false, false));
                        }
                        try (Lease set = engine.acquireAll(requests)) {
                            for (String key : keys) {
                                if (holders.putIfAbsent(key, Thread.currentThread()) != null) {
                                    overlaps.incrementAndGet();
                                }
                            }
                            Thread.sleep(1);
                            for (String key : keys) {
                                holders.remove(key, Thread.currentThread());
                            }
                            granted.incrementAndGet();
                        }
                    }
                    return null;
                });
                workers.add(worker);
                new Thread(worker, "contract-key-set-" + i).start();
            }
            awaitWorkers(workers);
            assertThat(overlaps).as("calls that found one of their keys held by another call").hasValue(0);
            assertThat(granted).as("granted calls; a deadlock would have ended waits in LockNotAcquiredException")
                    .hasValue(SET_THREADS * SET_ITERATIONS);
        }

    }

}
