package io.github.distlock.benchmarks.contenders;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One lock library under measurement, set up programmatically with its defaults against one Redis server.
 * Implementations are thread-safe: the harness calls {@link #openNode()} from one thread and then drives the nodes
 * from several.
 */
public interface LockContender extends AutoCloseable {

    /**
     * Opens a node: an independent client with its own connections, as a separate application instance would have.
     * @return the node, closed by {@link #close()} or by the caller
     * @throws Exception if the client cannot be set up
     */
    Node openNode() throws Exception;

    /**
     * Closes every node this contender opened.
     */
    @Override
    void close();

    /**
     * An independent client of the lock library. Thread-safe.
     */
    interface Node extends AutoCloseable {

        /**
         * Acquires the lock on the key the way the library's users do: blocking, waiting for a holder to release it.
         * @param key the lock key
         * @param wait how long to wait
         * @return the held lock, or {@code null} if it stayed held for the whole wait
         * @throws Exception whatever the library throws
         */
        @Nullable Held acquire(String key, Duration wait) throws Exception;

        /**
         * Releases the node's clients and connections.
         */
        @Override
        void close();

        /**
         * Returns a node made of its two operations.
         * @param acquire what {@link #acquire} does
         * @param close what {@link #close()} does
         * @return the node
         */
        static Node of(Acquire acquire, Runnable close) {
            return new Node() {

                @Override
                public @Nullable Held acquire(String key, Duration wait) throws Exception {
                    return acquire.acquire(key, wait);
                }

                @Override
                public void close() {
                    close.run();
                }

            };
        }

    }

    /**
     * What {@link Node#acquire} does, for {@link Node#of}.
     */
    @FunctionalInterface
    interface Acquire {

        /**
         * Acquires the lock on the key, waiting at most the given time.
         * @param key the lock key
         * @param wait how long to wait
         * @return the held lock, or {@code null} if it stayed held for the whole wait
         * @throws Exception whatever the library throws
         */
        @Nullable Held acquire(String key, Duration wait) throws Exception;

    }

    /**
     * A held lock; released once, by the thread that acquired it.
     */
    @FunctionalInterface
    interface Held {

        /**
         * Releases the lock.
         */
        void release();

    }

}
