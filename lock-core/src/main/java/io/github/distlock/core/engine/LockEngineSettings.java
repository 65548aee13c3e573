package io.github.distlock.core.engine;

import java.time.Duration;

import io.github.distlock.core.InvalidSettingException;

import org.jspecify.annotations.Nullable;

/**
 * Tuning of the {@link LockEngine}. Immutable; {@link #defaults()} suits most deployments.
 *
 * @param renewalRatio the fraction of the lease time after which a held lease is renewed, and again after each
 *     renewal; at most half of the validity fraction {@code (1 - clockDriftFactor) / 2}, so that a failed attempt
 *     leaves time for another before the validity ends. The default 1/3 leaves two more attempts
 * @param clockDriftFactor the fraction of the lease time assumed lost to clock drift between this process and the
 *     lock service; validity is lease time minus elapsed time minus drift
 * @param clockDriftMinimum the fixed part of the drift allowance, added to the proportional part
 * @param initialBackoff the first pause between attempts when the backend cannot notify releases
 * @param maxBackoff the longest pause between attempts; also the longest sleep on a release notification when
 *     the holder's remaining time is unknown
 * @param renewalThreads how many renewal calls may be in flight at once (the size of the engine's renewal pool,
 *     whose threads are started on demand and end when idle); a renewal stuck in a slow backend call occupies one
 *     of them and delays no other lease's renewal while others are free. Expiry is detected on a timer of its own
 *     and never waits for these threads. The same number sizes the separate pool that makes the backend calls of
 *     {@link LockEngine#acquireAsync asynchronous acquires}
 * @since 0.1.0
 */
public record LockEngineSettings(double renewalRatio, double clockDriftFactor, Duration clockDriftMinimum,
        Duration initialBackoff, Duration maxBackoff, int renewalThreads) {

    /** The default number of renewal calls that may be in flight at once. */
    public static final int DEFAULT_RENEWAL_THREADS = 4;

    /**
     * Validates the settings.
     * @throws InvalidSettingException naming the first invalid setting
     */
    public LockEngineSettings {
        requireSet("clockDriftMinimum", clockDriftMinimum);
        requireSet("initialBackoff", initialBackoff);
        requireSet("maxBackoff", maxBackoff);
        if (!(renewalRatio > 0 && renewalRatio < 1)) {
            throw new InvalidSettingException("renewalRatio", renewalRatio, "must be between 0 and 1 (exclusive)");
        }
        if (!(clockDriftFactor >= 0 && clockDriftFactor < 0.5)) {
            throw new InvalidSettingException("clockDriftFactor", clockDriftFactor, "must be in [0, 0.5)");
        }
        double mostRatio = maxRenewalRatio(clockDriftFactor);
        if (renewalRatio > mostRatio) {
            throw new InvalidSettingException("renewalRatio", renewalRatio, "leaves no time for a second renewal "
                    + "attempt before the validity (lease time x " + (1 - clockDriftFactor) + " - "
                    + clockDriftMinimum + ") ends: use at most " + mostRatio);
        }
        requireNotNegative("clockDriftMinimum", clockDriftMinimum);
        requirePositive("initialBackoff", initialBackoff);
        requirePositive("maxBackoff", maxBackoff);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new InvalidSettingException("maxBackoff", maxBackoff,
                    "must not be shorter than initialBackoff (" + initialBackoff + ")");
        }
        if (renewalThreads < 1) {
            throw new InvalidSettingException("renewalThreads", renewalThreads, "must be at least 1");
        }
    }

    /**
     * Returns the default settings: renew at 1/3 of the lease, drift 1 % + 2 ms, backoff 10 ms to 500 ms, up to
     * {@value #DEFAULT_RENEWAL_THREADS} renewal calls in flight at once.
     * @return the defaults
     */
    public static LockEngineSettings defaults() {
        return new LockEngineSettings(1.0 / 3, 0.01, Duration.ofMillis(2), Duration.ofMillis(10),
                Duration.ofMillis(500), DEFAULT_RENEWAL_THREADS);
    }

    /**
     * Returns the largest renewal ratio allowed with a drift factor: half of the validity fraction, so that one
     * failed renewal leaves time for another attempt.
     * @param clockDriftFactor the proportional drift allowance
     * @return the largest ratio, rounded down to three decimals
     */
    public static double maxRenewalRatio(double clockDriftFactor) {
        return Math.floor((1 - clockDriftFactor) / 2 * 1000) / 1000;
    }

    /**
     * Returns the interval between renewals of a lease.
     * @param leaseTime the lease time
     * @return lease time x renewal ratio
     */
    public Duration renewalIntervalFor(Duration leaseTime) {
        return Duration.ofNanos((long) (leaseTime.toNanos() * this.renewalRatio));
    }

    /**
     * Returns a copy with the given renewal ratio.
     * @param renewalRatio the fraction of the lease after which it is renewed
     * @return the copy
     */
    public LockEngineSettings withRenewalRatio(double renewalRatio) {
        return new LockEngineSettings(renewalRatio, this.clockDriftFactor, this.clockDriftMinimum, this.initialBackoff,
                this.maxBackoff, this.renewalThreads);
    }

    /**
     * Returns a copy with the given backoff bounds.
     * @param initialBackoff the first pause
     * @param maxBackoff the longest pause
     * @return the copy
     */
    public LockEngineSettings withBackoff(Duration initialBackoff, Duration maxBackoff) {
        return new LockEngineSettings(this.renewalRatio, this.clockDriftFactor, this.clockDriftMinimum, initialBackoff,
                maxBackoff, this.renewalThreads);
    }

    /**
     * Returns a copy with the given number of renewal threads.
     * @param renewalThreads the size of the shared renewal scheduler
     * @return the copy
     */
    public LockEngineSettings withRenewalThreads(int renewalThreads) {
        return new LockEngineSettings(this.renewalRatio, this.clockDriftFactor, this.clockDriftMinimum,
                this.initialBackoff, this.maxBackoff, renewalThreads);
    }

    /**
     * Returns the drift allowance for a lease of the given length.
     * @param leaseTime the lease time
     * @return the part of the lease not counted as valid
     */
    public Duration clockDriftFor(Duration leaseTime) {
        return Duration.ofNanos((long) (leaseTime.toNanos() * this.clockDriftFactor)).plus(this.clockDriftMinimum);
    }

    private static void requireSet(String name, @Nullable Duration value) {
        if (value == null) {
            throw new InvalidSettingException(name, null, "must be set");
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidSettingException(name, value, "must be positive");
        }
    }

    private static void requireNotNegative(String name, Duration value) {
        if (value.isNegative()) {
            throw new InvalidSettingException(name, value, "must not be negative");
        }
    }

}
