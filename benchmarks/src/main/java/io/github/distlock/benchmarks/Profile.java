package io.github.distlock.benchmarks;

import java.time.Duration;

import io.github.distlock.benchmarks.harness.HarnessSettings;

import org.jspecify.annotations.Nullable;

/**
 * How long a benchmark run takes. Immutable.
 */
enum Profile {

    /** Seconds: every contender and scenario once with tiny counts, no JMH. The CI smoke test's settings. */
    SMOKE(null, HarnessSettings.of(1, 200, 300, 200, 2_000, 500, Duration.ofSeconds(1))
        .withSettleTime(Duration.ofMillis(500))),

    /** About three minutes: short JMH, three rounds, 100,000 keys on Redis and 10,000 on PostgreSQL. */
    QUICK(new JmhSuite.Settings(1, 1, 3, 1000), HarnessSettings.of(3, 500, 800, 500, 100_000, 10_000,
            Duration.ofSeconds(10))),

    /**
     * About fourteen minutes: JMH with one fork of five measured seconds, six rounds, 1,000,000 keys on Redis and
     * 100,000 on PostgreSQL, whose table is then watched for two and a half minutes.
     */
    FULL(new JmhSuite.Settings(1, 2, 5, 1000), HarnessSettings.of(6, 1000, 2000, 500, 1_000_000, 100_000,
            Duration.ofSeconds(150)));

    private final JmhSuite.@Nullable Settings jmh;

    private final HarnessSettings comparison;

    Profile(JmhSuite.@Nullable Settings jmh, HarnessSettings comparison) {
        this.jmh = jmh;
        this.comparison = comparison;
    }

    JmhSuite.@Nullable Settings jmh() {
        return this.jmh;
    }

    HarnessSettings comparison() {
        return this.comparison;
    }

}
