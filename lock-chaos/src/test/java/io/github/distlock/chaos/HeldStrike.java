package io.github.distlock.chaos;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * A fault that strikes at the moment a holder has read the resource inside its critical section and keeps that
 * holder inside until the test lets it go: its read is answered only then, so it stays in its section across the
 * fault, as a long piece of work would, while its engine goes on renewing (or losing) its lease. Then it writes
 * what it read, and the resource decides whether that write is still its to make.
 *
 * <p>Thread-safe: the hub's connection thread runs the strike, the test thread waits and lets go.
 */
final class HeldStrike implements AutoCloseable {

    /** How long a victim is held at most, should the test never let it go. */
    private static final Duration LONGEST_HOLD = Duration.ofSeconds(120);

    private final Hub hub;

    private final CountDownLatch struck = new CountDownLatch(1);

    private final CountDownLatch letGo = new CountDownLatch(1);

    private final CountDownLatch anotherRead = new CountDownLatch(1);

    // Set by the hub's connection thread before struck opens.
    private final AtomicReference<@Nullable String> victim = new AtomicReference<>();

    private HeldStrike(Hub hub) {
        this.hub = hub;
    }

    /**
     * Arms the strike on the next accepted read of a key.
     * @param hub the hub
     * @param keySuffix how the key ends
     * @param fault what to do (the reader's worker name given) while the reader is inside its section
     * @return the armed strike
     */
    static HeldStrike arm(Hub hub, String keySuffix, Consumer<String> fault) {
        HeldStrike strike = new HeldStrike(hub);
        hub.onNextReadEndingWith(keySuffix, worker -> {
            try {
                fault.accept(worker);
                // Watched from the strike on, so that a reader coming in while the test is busy is not missed.
                hub.onNextReadEndingWith(keySuffix, other -> strike.anotherRead.countDown());
            }
            finally {
                strike.victim.set(worker);
                strike.struck.countDown();
            }
            try {
                strike.letGo.await(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        return strike;
    }

    /**
     * Waits for the strike.
     * @param timeout how long
     * @return the victim's worker name, or {@code null} when nobody read the key in time
     */
    @Nullable String awaitVictim(Duration timeout) throws InterruptedException {
        return this.struck.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? this.victim.get() : null;
    }

    /**
     * Waits until someone else (the victim is held) has a read of the key accepted.
     * @param timeout how long
     * @return whether another reader got in within the time
     */
    boolean awaitAnotherReader(Duration timeout) throws InterruptedException {
        return this.anotherRead.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Disarms the strike if it has not struck yet; a read that comes after this finds nothing armed.
     * @return whether it had struck
     */
    boolean disarm() {
        this.hub.onNextReadEndingWith(":never-read-key", worker -> {
        });
        return this.struck.getCount() == 0;
    }

    /** Lets the victim go on: its read is answered and it goes on to write. */
    @Override
    public void close() {
        this.letGo.countDown();
    }

}
