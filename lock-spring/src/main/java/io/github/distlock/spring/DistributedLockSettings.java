package io.github.distlock.spring;

import java.time.Duration;

import io.github.distlock.core.InvalidSettingException;

import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;

/**
 * Application-wide defaults and behaviour of {@link DistributedLock} methods. Declare a bean of this type to change
 * them; Spring Boot builds it from the {@code distributed-lock.*} properties. Immutable.
 *
 * @param defaultLeaseTime the lease time of methods that do not set one
 * @param defaultWaitTime the wait time of {@link WhenLocked#WAIT} methods that do not set one
 * @param maxWaitTime the longest wait time a method may declare
 * @param keyPrefix a prefix put before every lock name, to separate applications or tenants sharing a backend
 * @param advisorOrder the order of the lock advisor; the default runs it outside {@code @Transactional}
 * @param onLeaseLost what happens when a lease was lost while the method ran
 * @since 0.1.0
 */
public record DistributedLockSettings(Duration defaultLeaseTime, Duration defaultWaitTime, Duration maxWaitTime,
        String keyPrefix, int advisorOrder, LeaseLostAction onLeaseLost) {

    /**
     * The default advisor order: just ahead of the transaction advisor (whose default is
     * {@link Ordered#LOWEST_PRECEDENCE}), so a lock is acquired before a transaction begins and released after it
     * commits.
     */
    public static final int DEFAULT_ADVISOR_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

    /**
     * Validates the settings.
     * @throws InvalidSettingException naming the invalid setting
     */
    public DistributedLockSettings {
        requireSet("defaultLeaseTime", defaultLeaseTime);
        requireSet("defaultWaitTime", defaultWaitTime);
        requireSet("maxWaitTime", maxWaitTime);
        requireSet("keyPrefix", keyPrefix);
        requireSet("onLeaseLost", onLeaseLost);
        if (defaultLeaseTime.isNegative() || defaultLeaseTime.isZero()) {
            throw new InvalidSettingException("defaultLeaseTime", defaultLeaseTime, "must be positive");
        }
        if (defaultWaitTime.isNegative()) {
            throw new InvalidSettingException("defaultWaitTime", defaultWaitTime, "must not be negative");
        }
        if (maxWaitTime.isNegative()) {
            throw new InvalidSettingException("maxWaitTime", maxWaitTime, "must not be negative");
        }
        if (defaultWaitTime.compareTo(maxWaitTime) > 0) {
            throw new InvalidSettingException("defaultWaitTime", defaultWaitTime,
                    "must not be longer than maxWaitTime (" + maxWaitTime + ")");
        }
    }

    /**
     * Returns whether a method may declare the given wait time: at most {@link #maxWaitTime()}.
     * @param waitTime the declared wait time
     * @return {@code true} if it is allowed
     */
    public boolean allowsWaitTime(Duration waitTime) {
        return waitTime.compareTo(this.maxWaitTime) <= 0;
    }

    /**
     * Returns the defaults: lease 30 s, wait 5 s, maximum wait 10 min, no key prefix, outside transactions,
     * {@link LeaseLostAction#THROW}.
     * @return the defaults
     */
    public static DistributedLockSettings defaults() {
        return new DistributedLockSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMinutes(10), "",
                DEFAULT_ADVISOR_ORDER, LeaseLostAction.THROW);
    }


    /**
     * Returns a copy with another defaultLeaseTime.
     * @param defaultLeaseTime the lease time of methods that do not set one
     * @return the copy
     */
    public DistributedLockSettings withDefaultLeaseTime(Duration defaultLeaseTime) {
        return new DistributedLockSettings(defaultLeaseTime, this.defaultWaitTime, this.maxWaitTime, this.keyPrefix,
                this.advisorOrder, this.onLeaseLost);
    }

    /**
     * Returns a copy with another defaultWaitTime.
     * @param defaultWaitTime the wait time of WAIT methods that do not set one
     * @return the copy
     */
    public DistributedLockSettings withDefaultWaitTime(Duration defaultWaitTime) {
        return new DistributedLockSettings(this.defaultLeaseTime, defaultWaitTime, this.maxWaitTime, this.keyPrefix,
                this.advisorOrder, this.onLeaseLost);
    }

    /**
     * Returns a copy with another maxWaitTime.
     * @param maxWaitTime the longest wait time a method may declare
     * @return the copy
     */
    public DistributedLockSettings withMaxWaitTime(Duration maxWaitTime) {
        return new DistributedLockSettings(this.defaultLeaseTime, this.defaultWaitTime, maxWaitTime, this.keyPrefix,
                this.advisorOrder, this.onLeaseLost);
    }

    /**
     * Returns a copy with another keyPrefix.
     * @param keyPrefix the prefix put before every lock name
     * @return the copy
     */
    public DistributedLockSettings withKeyPrefix(String keyPrefix) {
        return new DistributedLockSettings(this.defaultLeaseTime, this.defaultWaitTime, this.maxWaitTime, keyPrefix,
                this.advisorOrder, this.onLeaseLost);
    }

    /**
     * Returns a copy with another advisorOrder.
     * @param advisorOrder the order of the lock advisor
     * @return the copy
     */
    public DistributedLockSettings withAdvisorOrder(int advisorOrder) {
        return new DistributedLockSettings(this.defaultLeaseTime, this.defaultWaitTime, this.maxWaitTime, this.keyPrefix,
                advisorOrder, this.onLeaseLost);
    }

    /**
     * Returns a copy with another onLeaseLost.
     * @param onLeaseLost what happens when a lease was lost while the method ran
     * @return the copy
     */
    public DistributedLockSettings withOnLeaseLost(LeaseLostAction onLeaseLost) {
        return new DistributedLockSettings(this.defaultLeaseTime, this.defaultWaitTime, this.maxWaitTime, this.keyPrefix,
                this.advisorOrder, onLeaseLost);
    }

    private static void requireSet(String name, @Nullable Object value) {
        if (value == null) {
            throw new InvalidSettingException(name, null, "must be set");
        }
    }

}
