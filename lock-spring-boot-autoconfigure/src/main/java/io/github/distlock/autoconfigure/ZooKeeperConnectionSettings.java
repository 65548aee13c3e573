package io.github.distlock.autoconfigure;

import java.time.Duration;

import io.github.distlock.core.InvalidSettingException;

import org.jspecify.annotations.Nullable;

/**
 * How the auto-configured Curator client reaches the ensemble, validated. Immutable.
 *
 * @param connectString the ensemble's host:port pairs, optionally with a chroot
 * @param sessionTimeout the session timeout asked of the server
 * @param connectionTimeout how long to wait for a connection
 * @param username the digest user, or {@code null} for none
 * @param password the digest password, or {@code null} for none
 * @param maxRetries how many times an operation that lost its connection is retried
 * @param baseSleepTime the first pause between retries
 */
record ZooKeeperConnectionSettings(String connectString, Duration sessionTimeout, Duration connectionTimeout,
        @Nullable String username, @Nullable String password, int maxRetries, Duration baseSleepTime) {

    static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);

    static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(15);

    static final int DEFAULT_MAX_RETRIES = 3;

    static final Duration DEFAULT_BASE_SLEEP_TIME = Duration.ofMillis(100);

    // Curator's ExponentialBackoffRetry caps the retry count at 29.
    static final int MAX_RETRIES_LIMIT = 29;

    ZooKeeperConnectionSettings {
        if (connectString == null || connectString.isBlank()) {
            throw new InvalidSettingException("connectString", connectString,
                    "must name the ensemble, for example zk1:2181,zk2:2181,zk3:2181");
        }
        requirePositiveMillis("sessionTimeout", sessionTimeout);
        requirePositiveMillis("connectionTimeout", connectionTimeout);
        requirePositiveMillis("baseSleepTime", baseSleepTime);
        if ((username == null) != (password == null)) {
            throw new InvalidSettingException((username == null) ? "username" : "password", null,
                    "must be set together with the " + ((username == null) ? "password" : "username")
                            + " for digest authentication");
        }
        if (username != null && (username.isEmpty() || username.indexOf(':') >= 0)) {
            throw new InvalidSettingException("username", username, "must be non-empty and contain no ':'");
        }
        if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
            throw new InvalidSettingException("maxRetries", maxRetries, "must be between 0 and " + MAX_RETRIES_LIMIT);
        }
    }

    private static void requirePositiveMillis(String setting, @Nullable Duration value) {
        if (value == null) {
            throw new InvalidSettingException(setting, null, "must be set");
        }
        if (value.toMillis() < 1 || value.toMillis() > Integer.MAX_VALUE) {
            throw new InvalidSettingException(setting, value, "must be between 1ms and " + Integer.MAX_VALUE + "ms");
        }
    }

    /**
     * Returns whether digest credentials are set.
     * @return {@code true} when both user name and password are set
     */
    boolean hasCredentials() {
        return this.username != null;
    }

    @Override
    public String toString() {
        // Never the password.
        return "ZooKeeperConnectionSettings[connectString=" + this.connectString + ", sessionTimeout="
                + this.sessionTimeout + ", connectionTimeout=" + this.connectionTimeout + ", username="
                + this.username + ", maxRetries=" + this.maxRetries + ", baseSleepTime=" + this.baseSleepTime + "]";
    }

}
