package io.github.distlock.benchmarks.contenders;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A contender that keeps every node it opened and closes them together when it is closed; a node's own
 * {@code close()} must therefore tolerate being called again. Thread-safe.
 */
abstract class TrackingContender implements LockContender {

    private static final Logger logger = LoggerFactory.getLogger(TrackingContender.class);

    private final List<Node> nodes = new ArrayList<>();

    /**
     * Opens a node of the library; {@link #openNode()} keeps it.
     * @return the node
     * @throws Exception if the client cannot be set up
     */
    abstract Node open() throws Exception;

    @Override
    public final Node openNode() throws Exception {
        Node node = open();
        synchronized (this.nodes) {
            this.nodes.add(node);
        }
        return node;
    }

    /**
     * Makes attempts one millisecond apart until one holds the lock or the wait is over: how a library that never
     * waits takes part in the waiting scenarios, as the floor does.
     * @param wait how long to try
     * @param attempt one attempt; {@code null} if the lock is held by another
     * @return the held lock, or {@code null} after the wait
     * @throws InterruptedException if interrupted between attempts
     */
    static @Nullable Held pollEveryMillisecond(Duration wait, Supplier<@Nullable Held> attempt)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Held held = attempt.get();
            if (held != null) {
                return held;
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.sleep(1);
        }
    }

    @Override
    public final void close() {
        synchronized (this.nodes) {
            for (Node node : this.nodes) {
                try {
                    node.close();
                }
                catch (RuntimeException ex) {
                    logger.warn("Closing a benchmark node failed", ex);
                }
            }
            this.nodes.clear();
        }
        closeAfterNodes();
    }

    /** Closes what the contender set up besides its nodes (servers of its own), after them; by default nothing. */
    void closeAfterNodes() {
    }

}
