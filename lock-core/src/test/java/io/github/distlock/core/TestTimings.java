package io.github.distlock.core;

import java.time.Duration;

/**
 * Every duration the lock-core tests use, in one place. Tests assert lower bounds on elapsed time ("waited at
 * least the wait time") but never an upper bound tighter than {@link #PATIENCE}: the build shares a loaded two-core
 * machine.
 */
public final class TestTimings {

    /** A lease short enough to expire or be renewed several times within a test. */
    public static final Duration SHORT_LEASE = Duration.ofMillis(300);

    /** A lease that is lost about 8 ms after it is granted, to race its loss against other calls. */
    public static final Duration TINY_LEASE = Duration.ofMillis(10);

    /** A lease renewed every 20 ms, to race many renewals against releases. */
    public static final Duration RAPID_LEASE = Duration.ofMillis(60);

    /** A lease that never expires during a test. */
    public static final Duration LONG_LEASE = Duration.ofSeconds(30);

    /** A wait that a test expects to end by a release, long before it runs out. */
    public static final Duration LONG_WAIT = Duration.ofSeconds(10);

    /** A wait that a test expects to run out. */
    public static final Duration SHORT_WAIT = Duration.ofMillis(300);

    /** How long an auto-renewed {@link #SHORT_LEASE} is held to show that renewal keeps it: several lease times. */
    public static final Duration HOLD = Duration.ofSeconds(1);

    /** A few renewal intervals of a {@link #SHORT_LEASE}, during which a test expects nothing to happen. */
    public static final Duration QUIET_PERIOD = Duration.ofMillis(500);

    /** The bound of every eventual condition. */
    public static final Duration PATIENCE = Duration.ofSeconds(10);

    /** How often an eventual condition is polled. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    private TestTimings() {
    }

}
