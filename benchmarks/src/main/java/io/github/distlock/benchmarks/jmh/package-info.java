/**
 * JMH benchmarks of this project alone, on the in-memory backend: the cost of {@code @DistributedLock} over a
 * direct {@code LockClient} call and over a plain call, key evaluation, and the engine's reentrant path.
 */
@NullMarked
package io.github.distlock.benchmarks.jmh;

import org.jspecify.annotations.NullMarked;
