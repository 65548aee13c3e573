package io.github.distlock.autoconfigure;

import java.time.Duration;

import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.LeaseLostAction;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The {@code distributed-lock.*} configuration properties. After binding, every value is checked, and an invalid
 * one fails start-up with an {@link InvalidConfigurationPropertyValueException} that names the property.
 *
 * <p>Mutable while the binder fills it; not meant to be changed afterwards. Not thread-safe.
 */
@ConfigurationProperties(DistributedLockProperties.PREFIX)
public class DistributedLockProperties implements InitializingBean {

    static final String PREFIX = "distributed-lock";

    /**
     * Whether to take distributed locks for methods annotated with @DistributedLock.
     */
    private boolean enabled = true;

    /**
     * Lease backend to use, detected from the classpath when not set.
     */
    private @Nullable LockBackendType backend;

    /**
     * Lease time of locked methods that do not set one.
     */
    private Duration leaseTime = Duration.ofSeconds(30);

    /**
     * Wait time of locked methods that wait for a held lock and do not set one.
     */
    private Duration waitTime = Duration.ofSeconds(5);

    /**
     * Longest wait time a locked method may declare.
     */
    private Duration maxWaitTime = Duration.ofMinutes(10);

    /**
     * Prefix put before every lock name, to separate applications that share a backend.
     */
    private String keyPrefix = "";

    /**
     * Order of the lock advisor, by default just outside the transaction advisor.
     */
    private int order = DistributedLockSettings.DEFAULT_ADVISOR_ORDER;

    /**
     * What happens when a lease was lost while its method ran.
     */
    private LeaseLostAction onLeaseLost = LeaseLostAction.THROW;

    private final Renewal renewal = new Renewal();

    private final Backoff backoff = new Backoff();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable LockBackendType getBackend() {
        return this.backend;
    }

    public void setBackend(@Nullable LockBackendType backend) {
        this.backend = backend;
    }

    public Duration getLeaseTime() {
        return this.leaseTime;
    }

    public void setLeaseTime(Duration leaseTime) {
        this.leaseTime = leaseTime;
    }

    public Duration getWaitTime() {
        return this.waitTime;
    }

    public void setWaitTime(Duration waitTime) {
        this.waitTime = waitTime;
    }

    public Duration getMaxWaitTime() {
        return this.maxWaitTime;
    }

    public void setMaxWaitTime(Duration maxWaitTime) {
        this.maxWaitTime = maxWaitTime;
    }

    public String getKeyPrefix() {
        return this.keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public int getOrder() {
        return this.order;
    }

    public void setOrder(int order) {
        this.order = order;
    }

    public LeaseLostAction getOnLeaseLost() {
        return this.onLeaseLost;
    }

    public void setOnLeaseLost(LeaseLostAction onLeaseLost) {
        this.onLeaseLost = onLeaseLost;
    }

    public Renewal getRenewal() {
        return this.renewal;
    }

    public Backoff getBackoff() {
        return this.backoff;
    }

    /**
     * Checks every value once binding is complete.
     * @throws InvalidConfigurationPropertyValueException naming the first invalid property
     */
    @Override
    public void afterPropertiesSet() {
        requirePositive("lease-time", this.leaseTime);
        requireNotNegative("wait-time", this.waitTime);
        requireNotNegative("max-wait-time", this.maxWaitTime);
        if (this.waitTime.compareTo(this.maxWaitTime) > 0) {
            throw invalid("wait-time", this.waitTime,
                    "must not be longer than " + PREFIX + ".max-wait-time (" + this.maxWaitTime + ")");
        }
        requireNotNull("key-prefix", this.keyPrefix);
        requireNotNull("on-lease-lost", this.onLeaseLost);
        double ratio = this.renewal.ratio;
        if (!(ratio > 0 && ratio < 1)) {
            throw invalid("renewal.ratio", ratio, "must be greater than 0 and less than 1");
        }
        if (this.renewal.threads < 1) {
            throw invalid("renewal.threads", this.renewal.threads, "must be at least 1");
        }
        requirePositive("backoff.initial", this.backoff.initial);
        requirePositive("backoff.max", this.backoff.max);
        if (this.backoff.max.compareTo(this.backoff.initial) < 0) {
            throw invalid("backoff.max", this.backoff.max,
                    "must not be shorter than " + PREFIX + ".backoff.initial (" + this.backoff.initial + ")");
        }
    }

    private static void requirePositive(String name, @Nullable Duration value) {
        requireNotNull(name, value);
        if (value.isNegative() || value.isZero()) {
            throw invalid(name, value, "must be positive");
        }
    }

    private static void requireNotNegative(String name, @Nullable Duration value) {
        requireNotNull(name, value);
        if (value.isNegative()) {
            throw invalid(name, value, "must not be negative");
        }
    }

    // The binder may set null for an empty value, although the fields are declared non-null.
    private static void requireNotNull(String name, @Nullable Object value) {
        if (value == null) {
            throw invalid(name, null, "must be set");
        }
    }

    private static InvalidConfigurationPropertyValueException invalid(String name, @Nullable Object value,
            String reason) {
        return new InvalidConfigurationPropertyValueException(PREFIX + "." + name, value, reason);
    }

    /**
     * Renewal of held leases.
     */
    public static class Renewal {

        /**
         * Fraction of the lease time after which a held lease is renewed, between 0 and 1.
         */
        private double ratio = 0.33;

        /**
         * Number of threads of the shared scheduler that renews leases.
         */
        private int threads = 1;

        public double getRatio() {
            return this.ratio;
        }

        public void setRatio(double ratio) {
            this.ratio = ratio;
        }

        public int getThreads() {
            return this.threads;
        }

        public void setThreads(int threads) {
            this.threads = threads;
        }

    }

    /**
     * Pauses between attempts while waiting for a held lock, when the backend cannot announce releases.
     */
    public static class Backoff {

        /**
         * First pause between two attempts to take a held lock.
         */
        private Duration initial = Duration.ofMillis(10);

        /**
         * Longest pause between two attempts to take a held lock.
         */
        private Duration max = Duration.ofMillis(500);

        public Duration getInitial() {
            return this.initial;
        }

        public void setInitial(Duration initial) {
            this.initial = initial;
        }

        public Duration getMax() {
            return this.max;
        }

        public void setMax(Duration max) {
            this.max = max;
        }

    }

}
