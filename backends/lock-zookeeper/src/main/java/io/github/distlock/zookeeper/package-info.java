/**
 * A lease backend on Apache ZooKeeper through Curator: a lease is an ephemeral node, its creation zxid is the
 * fencing token, and releases are announced through watches.
 */
@NullMarked
package io.github.distlock.zookeeper;

import org.jspecify.annotations.NullMarked;
