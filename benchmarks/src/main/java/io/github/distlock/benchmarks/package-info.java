/**
 * Benchmarks: JMH measurements of the annotation and the engine, and a harness comparing the Redis backend with
 * other Redis locks.
 */
@NullMarked
package io.github.distlock.benchmarks;

import org.jspecify.annotations.NullMarked;
