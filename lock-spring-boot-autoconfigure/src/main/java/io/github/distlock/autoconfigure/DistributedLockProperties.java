package io.github.distlock.autoconfigure;

import java.time.Duration;

import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.LeaseLostAction;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.AdviceMode;

/**
 * The {@code distributed-lock.*} properties shared by every backend. Fields and their defaults only: the rules live
 * in {@link DistributedLockSettings} and {@link LockEngineSettings}, built from these by the auto-configuration, which
 * names the property when a value is invalid. Each backend has its own class ({@link RedisLockProperties},
 * {@link JdbcLockProperties}).
 *
 * <p>Mutable while the binder fills it; not meant to be changed afterwards. Not thread-safe.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(DistributedLockProperties.PREFIX)
public class DistributedLockProperties {

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
    private Duration leaseTime = DistributedLockSettings.defaults().defaultLeaseTime();

    /**
     * Wait time of locked methods that wait for a held lock and do not set one.
     */
    private Duration waitTime = DistributedLockSettings.defaults().defaultWaitTime();

    /**
     * Longest wait time a locked method may declare.
     */
    private Duration maxWaitTime = DistributedLockSettings.defaults().maxWaitTime();

    /**
     * Prefix put before every lock name, to separate applications that share a backend.
     */
    private String keyPrefix = DistributedLockSettings.defaults().keyPrefix();

    /**
     * Order of the lock advisor, by default just outside the transaction advisor.
     */
    private int order = DistributedLockSettings.DEFAULT_ADVISOR_ORDER;

    /**
     * How locked methods are advised: 'proxy' (Spring AOP proxies: calls of a bean to itself and non-public methods
     * are not locked) or 'aspectj' (the aspect of lock-spring-aspects, in classes woven at compile or load time).
     */
    private AdviceMode mode = AdviceMode.PROXY;

    /**
     * What happens when a lease was lost while its method ran.
     */
    private LeaseLostAction onLeaseLost = DistributedLockSettings.defaults().onLeaseLost();

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

    public AdviceMode getMode() {
        return this.mode;
    }

    public void setMode(AdviceMode mode) {
        this.mode = mode;
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
     * Renewal of held leases.
     */
    public static class Renewal {

        /**
         * Fraction of the lease time after which a held lease is renewed, and again after each renewal; greater than
         * 0 and at most 0.495.
         */
        private double ratio = LockEngineSettings.defaults().renewalRatio();

        /**
         * Most renewal calls in flight at once; a renewal stuck in a slow backend call holds one of these threads
         * and delays no other lease's renewal while others are free.
         */
        private int threads = LockEngineSettings.defaults().renewalThreads();

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
        private Duration initial = LockEngineSettings.defaults().initialBackoff();

        /**
         * Longest pause between two attempts to take a held lock.
         */
        private Duration max = LockEngineSettings.defaults().maxBackoff();

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
