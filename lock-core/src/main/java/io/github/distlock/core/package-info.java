/**
 * The programmatic lock API: {@link io.github.distlock.core.LockClient}, {@link io.github.distlock.core.Lease},
 * {@link io.github.distlock.core.LockRequest} and the exceptions callers handle.
 */
@NullMarked
package io.github.distlock.core;

import org.jspecify.annotations.NullMarked;
