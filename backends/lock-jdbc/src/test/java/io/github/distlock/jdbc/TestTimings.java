package io.github.distlock.jdbc;

import java.time.Duration;

/**
 * Every duration this module's tests use, in one place. Bounds are generous: the tests run on loaded two-core
 * machines next to other builds, and assert what must happen eventually, never how fast.
 */
final class TestTimings {

    /** A lease that never expires during a test. */
    static final Duration LONG_LEASE = Duration.ofSeconds(30);

    /** A lease short enough to expire within a test. */
    static final Duration SHORT_LEASE = Duration.ofMillis(300);

    /** The lease of a holder whose connections are broken on purpose: renewed every 600 ms by the engine. */
    static final Duration RENEWED_LEASE = Duration.ofMillis(1800);

    /** How long a pool waits for a free connection before the call fails (Hikari's minimum is 250 ms). */
    static final Duration POOL_TIMEOUT = Duration.ofMillis(500);

    /** Bound of anything that should happen promptly. */
    static final Duration EVENTUALLY = Duration.ofSeconds(20);

    /** A backoff far longer than a notified hand-off may take. */
    static final Duration SLOW_BACKOFF = Duration.ofSeconds(10);

    /** How long a new waiter is given to make its first attempt and start waiting. */
    static final Duration WAITER_SETTLES = Duration.ofMillis(500);

    /** The bound of a hand-off through release notification: generous, yet far below any backoff or lease. */
    static final Duration PROMPT = Duration.ofSeconds(2);

    /** The shortest query timeout the driver applies: clean-up tests use it to keep rows only briefly. */
    static final Duration SHORT_QUERY_TIMEOUT = Duration.ofSeconds(1);

    /** A row retention just longer than {@link #SHORT_QUERY_TIMEOUT}, the shortest the options accept with it. */
    static final Duration SHORT_RETENTION = Duration.ofMillis(1100);

    /** How often an eventual condition is polled. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    private TestTimings() {
    }

}
