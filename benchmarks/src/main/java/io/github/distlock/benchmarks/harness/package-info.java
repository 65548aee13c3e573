/**
 * The comparison harness: one redis-server, one JVM per contender driven over its standard input, interleaved
 * rounds, medians and ratios to the floor, Redis commands per operation, and the many-keys memory check.
 */
@NullMarked
package io.github.distlock.benchmarks.harness;

import org.jspecify.annotations.NullMarked;
