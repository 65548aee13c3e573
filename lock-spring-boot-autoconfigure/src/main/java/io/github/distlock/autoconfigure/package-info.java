/**
 * Spring Boot auto-configuration for distlock: the {@code distributed-lock.*} properties, the lease backend chosen
 * by {@code distributed-lock.backend} or detected from the classpath, the lock engine and the
 * {@link io.github.distlock.spring.DistributedLock} advisor.
 */
@NullMarked
package io.github.distlock.autoconfigure;

import org.jspecify.annotations.NullMarked;
