/**
 * The AspectJ mode of {@link io.github.distlock.spring.EnableDistributedLock}: {@link
 * io.github.distlock.spring.aspectj.DistributedLockAspect}, the aspect woven into the application's classes, and
 * the configuration that hands it the application context's lock client.
 */
@NullMarked
package io.github.distlock.spring.aspectj;

import org.jspecify.annotations.NullMarked;
