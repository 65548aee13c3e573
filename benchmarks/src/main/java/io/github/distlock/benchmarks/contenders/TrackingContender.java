package io.github.distlock.benchmarks.contenders;

import java.util.ArrayList;
import java.util.List;

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
    }

}
