package io.github.distlock.core;

/**
 * Told when a held lease is lost (renewal refused by the backend, validity passed without a successful renewal, or
 * its engine closed). Called at most once per lease, no later than the end of its validity: on the engine's timer or
 * renewal thread, or on the thread that noticed the loss first. Implementations must be fast and must not block: the
 * timer thread also signals the losses of other leases.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface LeaseLossListener {

    /**
     * Called when the given lease is lost.
     * @param lease the lease that is no longer held
     * @param reason a human-readable reason
     */
    void onLeaseLost(Lease lease, String reason);

}
