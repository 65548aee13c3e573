/**
 * A lease backend that lives in one JVM: for single-instance applications and for tests.
 */
@NullMarked
package io.github.distlock.core.inmemory;

import org.jspecify.annotations.NullMarked;
