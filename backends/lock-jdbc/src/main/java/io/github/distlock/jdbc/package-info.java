/**
 * The JDBC lease backend: a lock table per database (PostgreSQL, MariaDB, H2), acquire decided in one statement on
 * the database's clock, fencing tokens from a database sequence, and a conditional-update helper with which the
 * protected resource rejects stale tokens.
 */
@NullMarked
package io.github.distlock.jdbc;

import org.jspecify.annotations.NullMarked;
