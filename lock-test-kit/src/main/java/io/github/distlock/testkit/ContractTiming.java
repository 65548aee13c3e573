package io.github.distlock.testkit;

import java.time.Duration;

/**
 * Every duration the contract tests use, in one place. Upper bounds are deliberately generous: the kit runs on
 * loaded two-core CI machines next to other builds, so it asserts what must happen eventually and never how fast.
 */
final class ContractTiming {

    /** The default lease of tests that wait for an expiry; backends with coarse expiry override it. */
    static final Duration SHORT_LEASE = Duration.ofMillis(300);

    /** A lease that never expires during a test. */
    static final Duration LONG_LEASE = Duration.ofSeconds(30);

    /** How long a waiting acquire in the contention test may wait; far above any real hand-off. */
    static final Duration LONG_WAIT = Duration.ofSeconds(30);

    /**
     * How long a writer waits for a key that a stream of overlapping readers holds: far above what the hand-off takes,
     * and the time after which the starvation test fails when the backend lets readers in past a waiting writer.
     */
    static final Duration STARVATION_WAIT = Duration.ofSeconds(5);

    /** Added to every expected duration as the bound of an eventual condition. */
    static final Duration PATIENCE = Duration.ofSeconds(10);

    /** How often an eventual condition is polled. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    /**
     * How much earlier than its lease time a key may become free without failing the test: the backend's clock
     * resolution (Redis and databases count whole milliseconds).
     */
    static final Duration EXPIRY_TOLERANCE = Duration.ofMillis(10);

    /** The bound of the whole contention test. */
    static final Duration CONTENTION_TIMEOUT = Duration.ofMinutes(2);

    private ContractTiming() {
    }

}
