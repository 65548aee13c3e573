/**
 * The machinery behind {@link io.github.distlock.spring.DistributedLock}: operation source, key evaluation,
 * interceptor and advisor.
 */
@NullMarked
package io.github.distlock.spring.interceptor;

import org.jspecify.annotations.NullMarked;
