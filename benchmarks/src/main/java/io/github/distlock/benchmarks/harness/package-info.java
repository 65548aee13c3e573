/**
 * The comparison harness: one redis-server (and one PostgreSQL server for the PostgreSQL contenders), one JVM per
 * contender driven over its standard input, interleaved rounds, medians and ratios to the floor, Redis commands and
 * PostgreSQL transactions per operation, and the many-keys memory checks.
 */
@NullMarked
package io.github.distlock.benchmarks.harness;

import org.jspecify.annotations.NullMarked;
