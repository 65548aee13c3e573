package io.github.distlock.benchmarks.contenders;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes a contender opened, closed together; a node's own {@code close()} must tolerate being called again.
 * Thread-safe.
 */
final class NodeRegistry {

    private static final Logger logger = LoggerFactory.getLogger(NodeRegistry.class);

    private final List<LockContender.Node> nodes = new ArrayList<>();

    synchronized <N extends LockContender.Node> N track(N node) {
        this.nodes.add(node);
        return node;
    }

    synchronized void closeAll() {
        for (LockContender.Node node : this.nodes) {
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
