package io.github.distlock.core;

/**
 * How a lease shares its key: many {@link #READ readers} at once, or one {@link #WRITE writer} alone.
 *
 * @since 0.1.0
 */
public enum LockMode {

    /**
     * A shared lease: granted while no writer holds the key and no writer waits for it, beside any number of other
     * readers. Needs a backend with the shared-lease capability ({@link LockClient#supportsSharedLeases()}).
     */
    READ,

    /**
     * An exclusive lease: granted while nobody else, reader or writer, holds the key. Every backend offers it; it is
     * the default.
     */
    WRITE

}
