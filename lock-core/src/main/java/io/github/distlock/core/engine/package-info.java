/**
 * The lock engine: the policy on top of a {@link io.github.distlock.core.spi.LeaseBackend} (waiting, release
 * notification, backoff, reentrancy, renewal and lease-loss signalling).
 */
@NullMarked
package io.github.distlock.core.engine;

import org.jspecify.annotations.NullMarked;
