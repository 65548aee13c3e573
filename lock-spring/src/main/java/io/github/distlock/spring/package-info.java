/**
 * The annotation model: {@link io.github.distlock.spring.DistributedLock}, {@link io.github.distlock.spring.FencingToken},
 * {@link io.github.distlock.spring.LockContext}, and {@link io.github.distlock.spring.EnableDistributedLock} for
 * applications without Spring Boot.
 */
@NullMarked
package io.github.distlock.spring;

import org.jspecify.annotations.NullMarked;
