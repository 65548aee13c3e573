package io.github.distlock.spring;

/**
 * What happens when the lease of a {@link DistributedLock} method was lost while the method ran.
 *
 * @since 0.1.0
 */
public enum LeaseLostAction {

    /**
     * Throw {@link io.github.distlock.core.LeaseLostException} to the caller after the method returned (its result is
     * discarded; for a future, the future completes exceptionally).
     */
    THROW,

    /**
     * Log a warning and return the method's result.
     */
    LOG

}
