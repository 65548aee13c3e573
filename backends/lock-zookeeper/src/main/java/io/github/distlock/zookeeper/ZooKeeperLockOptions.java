package io.github.distlock.zookeeper;

import io.github.distlock.core.InvalidSettingException;

/**
 * Where the ZooKeeper backend keeps its nodes and which keys it accepts. Immutable.
 *
 * <p>The backend uses five persistent nodes under the base path, whatever the number of keys: the base path
 * itself, {@code <basePath>/locks} (the parent of every lock node, so no parent is left behind per key),
 * {@code <basePath>/grants} (the parent of every grant's marker, which tells one grant of a key from the next),
 * {@code <basePath>/intents} (the parent of the waiting writers' intents, which keep new readers out) and
 * {@code <basePath>/clock} (written to read the server's time); see {@link ZooKeeperLeaseBackend}.
 *
 * @param basePath the absolute path under which the backend's nodes live, for example {@code /distlock}; it must not
 *     end with {@code /} and must be a valid ZooKeeper path
 * @param maxKeyLength the longest lock key accepted, in characters
 * @since 0.1.0
 */
public record ZooKeeperLockOptions(String basePath, int maxKeyLength) {

    /** The default base path. */
    public static final String DEFAULT_BASE_PATH = "/distlock";

    /**
     * Validates the options.
     * @throws InvalidSettingException naming the invalid option
     */
    public ZooKeeperLockOptions {
        if (basePath == null) {
            throw new InvalidSettingException("basePath", null, "must be set");
        }
        if (!basePath.startsWith("/") || basePath.length() < 2 || basePath.endsWith("/") || basePath.contains("//")) {
            throw new InvalidSettingException("basePath", basePath,
                    "must be an absolute ZooKeeper path such as /distlock, without a trailing or doubled /");
        }
        for (String segment : basePath.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..") || segment.equals("zookeeper")) {
                throw new InvalidSettingException("basePath", basePath,
                        "must not contain the segment '" + segment + "', which ZooKeeper reserves");
            }
        }
        for (int i = 0; i < basePath.length(); i++) {
            char c = basePath.charAt(i);
            if (c < ' ' || (c >= '\u007f' && c <= '\u009f') || Character.isSurrogate(c) || c >= '\ufff0') {
                throw new InvalidSettingException("basePath", basePath,
                        "contains a character ZooKeeper does not accept in paths at index " + i);
            }
        }
        if (maxKeyLength < 1) {
            throw new InvalidSettingException("maxKeyLength", maxKeyLength, "must be at least 1");
        }
    }

    /**
     * Returns the defaults: base path {@code /distlock}, keys up to 1024 characters.
     * @return the defaults
     */
    public static ZooKeeperLockOptions defaults() {
        return new ZooKeeperLockOptions(DEFAULT_BASE_PATH, 1024);
    }

    /**
     * Returns a copy with the given base path.
     * @param basePath the base path
     * @return the copy
     */
    public ZooKeeperLockOptions withBasePath(String basePath) {
        return new ZooKeeperLockOptions(basePath, this.maxKeyLength);
    }

    /**
     * Returns a copy with the given maximum key length.
     * @param maxKeyLength the longest key accepted
     * @return the copy
     */
    public ZooKeeperLockOptions withMaxKeyLength(int maxKeyLength) {
        return new ZooKeeperLockOptions(this.basePath, maxKeyLength);
    }

    /**
     * Returns the parent of every lock node.
     * @return {@code <basePath>/locks}
     */
    public String locksPath() {
        return this.basePath + "/locks";
    }

    /**
     * Returns the parent of every grant's marker: an ephemeral node created and deleted together with its lock node,
     * named after the key and the owner token, so that a takeover can require the very grant it found expired.
     * @return {@code <basePath>/grants}
     */
    public String grantsPath() {
        return this.basePath + "/grants";
    }

    /**
     * Returns the parent of the waiting writers' intents: per key that writers wait for, a container node
     * {@code <encoded key>} with one ephemeral child per waiting writer, which new readers of the key respect.
     * @return {@code <basePath>/intents}
     */
    public String intentsPath() {
        return this.basePath + "/intents";
    }

    /**
     * Returns the node written to read the server's time.
     * @return {@code <basePath>/clock}
     */
    public String clockPath() {
        return this.basePath + "/clock";
    }

}
