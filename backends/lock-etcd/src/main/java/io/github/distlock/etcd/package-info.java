/**
 * A lease backend on etcd through jetcd: an etcd lease per holder, put-if-absent in one transaction, the key's
 * create revision as the fencing token, shared leases for readers (keys and etcd leases of their own beside the lock
 * key, and intents of the writers that wait), and release notification by shared watches per waited-for key.
 */
@NullMarked
package io.github.distlock.etcd;

import org.jspecify.annotations.NullMarked;
