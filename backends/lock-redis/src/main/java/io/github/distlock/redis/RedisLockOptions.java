package io.github.distlock.redis;

import java.time.Duration;

import io.github.distlock.core.InvalidSettingException;

/**
 * How the Redis backend names its keys and how strict an acquire is. Immutable.
 *
 * @param keyPrefix put before every lock key, to keep locks apart from other data and other applications
 * @param maxKeyLength the longest lock key (without the prefix) accepted; longer keys are rejected before any
 *     command is sent
 * @param replicasToAcknowledge how many replicas must confirm an acquire (Redis {@code WAIT}) before it is
 *     reported granted; 0 (the default) does not wait. Even with acknowledgement, a failover can lose a lease
 *     because replication is asynchronous and a replica may be promoted before it received the write
 * @param replicaAcknowledgementTimeout how long to wait for the replicas
 * @param tokenRetention how long the last fencing token of a released key is kept, so that a lease granted in the
 *     same clock tick still gets a larger token; bounds the memory used by released keys
 * @since 0.1.0
 */
public record RedisLockOptions(String keyPrefix, int maxKeyLength, int replicasToAcknowledge,
        Duration replicaAcknowledgementTimeout, Duration tokenRetention) {

    /**
     * Validates the options.
     * @throws InvalidSettingException naming the invalid option
     */
    public RedisLockOptions {
        if (keyPrefix == null) {
            throw new InvalidSettingException("keyPrefix", null, "must be set");
        }
        if (replicaAcknowledgementTimeout == null) {
            throw new InvalidSettingException("replicaAcknowledgementTimeout", null, "must be set");
        }
        if (tokenRetention == null) {
            throw new InvalidSettingException("tokenRetention", null, "must be set");
        }
        if (maxKeyLength < 1) {
            throw new InvalidSettingException("maxKeyLength", maxKeyLength, "must be at least 1");
        }
        if (replicasToAcknowledge < 0) {
            throw new InvalidSettingException("replicasToAcknowledge", replicasToAcknowledge, "must not be negative");
        }
        if (replicaAcknowledgementTimeout.isNegative() || replicaAcknowledgementTimeout.isZero()) {
            throw new InvalidSettingException("replicaAcknowledgementTimeout", replicaAcknowledgementTimeout,
                    "must be positive");
        }
        if (tokenRetention.toMillis() < 1) {
            throw new InvalidSettingException("tokenRetention", tokenRetention, "must be at least 1ms");
        }
    }

    /**
     * Returns the defaults: prefix {@code distlock:}, keys up to 1024 characters, no replica acknowledgement
     * (timeout 1 s when enabled), token retention 2 s.
     * @return the defaults
     */
    public static RedisLockOptions defaults() {
        return new RedisLockOptions("distlock:", 1024, 0, Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    /**
     * Returns a copy with the given key prefix.
     * @param keyPrefix the prefix
     * @return the copy
     */
    public RedisLockOptions withKeyPrefix(String keyPrefix) {
        return new RedisLockOptions(keyPrefix, this.maxKeyLength, this.replicasToAcknowledge,
                this.replicaAcknowledgementTimeout, this.tokenRetention);
    }

    /**
     * Returns a copy with the given maximum key length.
     * @param maxKeyLength the longest key accepted
     * @return the copy
     */
    public RedisLockOptions withMaxKeyLength(int maxKeyLength) {
        return new RedisLockOptions(this.keyPrefix, maxKeyLength, this.replicasToAcknowledge,
                this.replicaAcknowledgementTimeout, this.tokenRetention);
    }

    /**
     * Returns a copy that waits for replicas to acknowledge each acquire.
     * @param replicas how many replicas must acknowledge
     * @param timeout how long to wait for them
     * @return the copy
     */
    public RedisLockOptions withReplicaAcknowledgement(int replicas, Duration timeout) {
        return new RedisLockOptions(this.keyPrefix, this.maxKeyLength, replicas, timeout, this.tokenRetention);
    }

    /**
     * Returns the prefix of the nodes' pub/sub channels: a release that hands a key to a waiter announces it on
     * {@code nodeChannelPrefix() + node id} of the waiter's backend only.
     * @return the channel prefix
     */
    public String nodeChannelPrefix() {
        return this.keyPrefix + "__node__:";
    }

}
