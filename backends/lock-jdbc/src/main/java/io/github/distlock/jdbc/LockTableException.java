package io.github.distlock.jdbc;

/**
 * The lock table could not be used: at start-up it is missing, unreadable or unwritable for the database user, or
 * its key column cannot hold the configured keys; later a lock statement failed (connection lost, timeout). The
 * message names the table, the database and, where known, what to do; the cause is the driver's exception.
 *
 * <p>Neither the message nor the chain of causes shows a password: both pass through {@link CredentialMasking}, and
 * a cause whose chain would show one is replaced by its masked copy.
 *
 * <p>The engine turns a failure during a lock call into {@code LockUnavailableException}.
 */
public class LockTableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param message what failed and what to do about it
     * @param cause the driver's exception
     */
    public LockTableException(String message, Throwable cause) {
        super(CredentialMasking.mask(message), CredentialMasking.maskChain(cause));
    }

}
