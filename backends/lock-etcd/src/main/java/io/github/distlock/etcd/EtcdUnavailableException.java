package io.github.distlock.etcd;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a lock request could not be carried out by etcd: no member answered within the backend's time limit
 * ({@link EtcdLockOptions#requestTimeout()}), because the cluster was unreachable, stopped or without quorum; or etcd
 * refused the request (rejected credentials, a role without permission on the lock prefix). The message names the
 * endpoints (never credentials), the operation and the key; the cause is what jetcd reported. The engine reports it
 * as {@code LockUnavailableException}, and nothing ran.
 *
 * @since 0.1.0
 */
public class EtcdUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param message what failed, where and why
     * @param cause what jetcd reported, if anything
     */
    public EtcdUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

}
