package io.github.distlock.core.spi;

/**
 * A registration for release notifications; closing it stops them. Idempotent and thread-safe.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ReleaseSubscription extends AutoCloseable {

    /**
     * Stops notifications for this registration.
     */
    @Override
    void close();

}
