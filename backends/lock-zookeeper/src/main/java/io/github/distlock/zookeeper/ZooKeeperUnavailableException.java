package io.github.distlock.zookeeper;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a lock operation could not be carried out by ZooKeeper: the client was not connected (its connection
 * state was {@code SUSPENDED} or {@code LOST}), the call failed or timed out, or the server refused it (missing ACL
 * rights, failed authentication). The message names the operation and the key; the cause is what Curator reported.
 * The engine reports it as {@code LockUnavailableException}, and nothing ran.
 *
 * @since 0.1.0
 */
public class ZooKeeperUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param message what failed and why
     * @param cause what Curator or ZooKeeper reported, if anything
     */
    public ZooKeeperUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

}
