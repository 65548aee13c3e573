package io.github.distlock.spring;

import java.time.Duration;

/**
 * Every timing constant of this module's tests, in one place.
 */
final class TestTimings {

    /** A lease short enough to expire within a test. */
    static final Duration SHORT_LEASE = Duration.ofMillis(300);

    /** How long a method holding a short non-renewed lease keeps running, well past the lease. */
    static final Duration OUTLIVE_SHORT_LEASE = Duration.ofMillis(900);

    /** The window in which two racing calls overlap. */
    static final Duration RACE_WINDOW = Duration.ofMillis(20);

    /** An upper bound for anything that should happen promptly; generous for a loaded 2-core machine. */
    static final Duration EVENTUALLY = Duration.ofSeconds(10);

    private TestTimings() {
    }

}
