package io.github.distlock.autoconfigure;

import java.time.Duration;

import io.github.distlock.zookeeper.ZooKeeperLockOptions;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code distributed-lock.zookeeper.*} properties: where the ensemble is, the session and connection timeouts,
 * the base path of the lock nodes, digest credentials and the retry policy. Fields and their defaults only: the rules
 * live in {@link ZooKeeperConnectionSettings} and {@link ZooKeeperLockOptions}, and
 * {@link ZooKeeperBackendConfiguration} names the property when a value is invalid. Ignored, except for the base
 * path, when the application has its own {@code CuratorFramework} bean.
 *
 * <p>Mutable while the binder fills it; not meant to be changed afterwards. Not thread-safe.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(ZooKeeperLockProperties.PREFIX)
public class ZooKeeperLockProperties {

    static final String PREFIX = DistributedLockProperties.PREFIX + ".zookeeper";

    /**
     * ZooKeeper connect string: comma-separated host:port pairs of the ensemble, optionally followed by a chroot
     * path.
     */
    private @Nullable String connectString;

    /**
     * Session timeout asked of the server, which caps it with its own bounds; no lease time may exceed the
     * negotiated timeout, since the session is what ends a crashed holder's lease.
     */
    private Duration sessionTimeout = ZooKeeperConnectionSettings.DEFAULT_SESSION_TIMEOUT;

    /**
     * How long to wait for a connection, at start-up and for each retried operation.
     */
    private Duration connectionTimeout = ZooKeeperConnectionSettings.DEFAULT_CONNECTION_TIMEOUT;

    /**
     * Absolute path of the node under which the lock nodes live.
     */
    private String basePath = ZooKeeperLockOptions.DEFAULT_BASE_PATH;

    /**
     * User name for ZooKeeper digest authentication; when set, lock nodes are created readable and writable by this
     * user only.
     */
    private @Nullable String username;

    /**
     * Password for ZooKeeper digest authentication.
     */
    private @Nullable String password;

    private final Retry retry = new Retry();

    public @Nullable String getConnectString() {
        return this.connectString;
    }

    public void setConnectString(@Nullable String connectString) {
        this.connectString = connectString;
    }

    public Duration getSessionTimeout() {
        return this.sessionTimeout;
    }

    public void setSessionTimeout(Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }

    public Duration getConnectionTimeout() {
        return this.connectionTimeout;
    }

    public void setConnectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    public String getBasePath() {
        return this.basePath;
    }

    public void setBasePath(String basePath) {
        this.basePath = basePath;
    }

    public @Nullable String getUsername() {
        return this.username;
    }

    public void setUsername(@Nullable String username) {
        this.username = username;
    }

    public @Nullable String getPassword() {
        return this.password;
    }

    public void setPassword(@Nullable String password) {
        this.password = password;
    }

    public Retry getRetry() {
        return this.retry;
    }

    /** How an operation that lost its connection is retried (exponential backoff). */
    public static class Retry {

        /**
         * How many times an operation that lost its connection is retried; 0 fails it at once.
         */
        private int maxRetries = ZooKeeperConnectionSettings.DEFAULT_MAX_RETRIES;

        /**
         * The first pause between retries; it doubles (with jitter) on each retry.
         */
        private Duration baseSleepTime = ZooKeeperConnectionSettings.DEFAULT_BASE_SLEEP_TIME;

        public int getMaxRetries() {
            return this.maxRetries;
        }

        public void setMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
        }

        public Duration getBaseSleepTime() {
            return this.baseSleepTime;
        }

        public void setBaseSleepTime(Duration baseSleepTime) {
            this.baseSleepTime = baseSleepTime;
        }

    }

}
