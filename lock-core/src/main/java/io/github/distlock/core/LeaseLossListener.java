package io.github.distlock.core;

/**
 * Told when a held lease is lost (expired without renewal, renewal refused by the backend, or validity passed).
 * Called at most once per lease, on the engine's renewal thread or on the thread that detected the loss;
 * implementations must be fast and must not block.
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
