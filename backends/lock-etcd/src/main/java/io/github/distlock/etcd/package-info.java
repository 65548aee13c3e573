/**
 * A lease backend on etcd through jetcd: an etcd lease per holder, put-if-absent in one transaction, the key's
 * create revision as the fencing token, and release notification by a shared watch per waited-for key.
 */
@NullMarked
package io.github.distlock.etcd;

import org.jspecify.annotations.NullMarked;
