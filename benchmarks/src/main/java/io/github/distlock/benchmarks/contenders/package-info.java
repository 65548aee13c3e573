/**
 * The locks the harness compares, each set up programmatically with the library's own defaults: this project's
 * Redis backend, a bare-Jedis floor, Redisson, Spring Integration, ShedLock and lock4j.
 */
@NullMarked
package io.github.distlock.benchmarks.contenders;

import org.jspecify.annotations.NullMarked;
