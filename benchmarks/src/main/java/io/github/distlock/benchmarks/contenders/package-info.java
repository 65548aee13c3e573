/**
 * The locks the harness compares, each set up programmatically with the library's own defaults: this project's
 * Redis backend, a bare-Jedis floor, Redisson, Spring Integration, ShedLock and lock4j on Redis; this project's JDBC
 * backend, a bare-JDBC floor, ShedLock's {@code JdbcTemplateLockProvider} and Spring Integration's
 * {@code JdbcLockRegistry} on PostgreSQL.
 */
@NullMarked
package io.github.distlock.benchmarks.contenders;

import org.jspecify.annotations.NullMarked;
