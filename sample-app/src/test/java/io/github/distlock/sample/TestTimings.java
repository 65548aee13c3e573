package io.github.distlock.sample;

import java.time.Duration;

/**
 * The timing constants of the sample's tests, in one place. Liveness bounds are generous: the tests run on a loaded
 * 2-core machine, several JVMs at once.
 */
final class TestTimings {

    /** How long an application JVM may take to answer its health check. */
    static final Duration STARTUP = Duration.ofSeconds(120);

    /** Lease of the instances in the fault tests: short, so that a takeover happens quickly. */
    static final Duration SHORT_LEASE = Duration.ofSeconds(2);

    /** How long a request may take in the worst case, waiting for a lock included. */
    static final Duration REQUEST = Duration.ofSeconds(60);

    /** How long after a holder's crash another instance must have taken over and finished: lease plus slack. */
    static final Duration TAKEOVER = SHORT_LEASE.plus(Duration.ofSeconds(8));

    private TestTimings() {
    }

}
