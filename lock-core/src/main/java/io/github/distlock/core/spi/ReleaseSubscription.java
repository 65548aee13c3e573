package io.github.distlock.core.spi;

/**
 * A registration for release notifications; closing it stops them. Idempotent and thread-safe.
 */
@FunctionalInterface
public interface ReleaseSubscription extends AutoCloseable {

    /**
     * Stops notifications for this registration.
     */
    @Override
    void close();

}
