package io.github.distlock.etcd;

import java.time.Duration;

import io.github.distlock.core.InvalidSettingException;

/**
 * How the etcd backend names its keys and how long one call may take. Immutable.
 *
 * @param keyPrefix put before every lock key, to keep locks apart from other data and other applications (and to
 *     limit an RBAC role to the locks: grant it read and write on this prefix)
 * @param maxKeyLength the longest lock key (without the prefix) accepted; longer keys are rejected before any
 *     request is sent
 * @param requestTimeout the time limit of one backend call (an acquire, a renewal or a release, with all the etcd
 *     requests it makes); when it passes the call throws {@link EtcdUnavailableException}
 * @since 0.1.0
 */
public record EtcdLockOptions(String keyPrefix, int maxKeyLength, Duration requestTimeout) {

    /**
     * Validates the options.
     * @throws InvalidSettingException naming the invalid option
     */
    public EtcdLockOptions {
        if (keyPrefix == null) {
            throw new InvalidSettingException("keyPrefix", null, "must be set");
        }
        if (requestTimeout == null) {
            throw new InvalidSettingException("requestTimeout", null, "must be set");
        }
        if (maxKeyLength < 1) {
            throw new InvalidSettingException("maxKeyLength", maxKeyLength, "must be at least 1");
        }
        if (requestTimeout.toMillis() < 1) {
            throw new InvalidSettingException("requestTimeout", requestTimeout, "must be at least 1ms");
        }
    }

    /**
     * Returns the defaults: prefix {@code distlock/}, keys up to 1024 characters, a time limit of 2 s per call.
     * @return the defaults
     */
    public static EtcdLockOptions defaults() {
        return new EtcdLockOptions("distlock/", 1024, Duration.ofSeconds(2));
    }

    /**
     * Returns a copy with the given key prefix.
     * @param keyPrefix the prefix
     * @return the copy
     */
    public EtcdLockOptions withKeyPrefix(String keyPrefix) {
        return new EtcdLockOptions(keyPrefix, this.maxKeyLength, this.requestTimeout);
    }

    /**
     * Returns a copy with the given time limit per call.
     * @param requestTimeout the time limit
     * @return the copy
     */
    public EtcdLockOptions withRequestTimeout(Duration requestTimeout) {
        return new EtcdLockOptions(this.keyPrefix, this.maxKeyLength, requestTimeout);
    }

}
