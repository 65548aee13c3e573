/**
 * The checkout sample: a Spring Boot web application whose checkout and flash-sale purchase are
 * {@link io.github.distlock.spring.DistributedLock} methods, so several instances charge each order once and never
 * sell more than they have.
 */
@NullMarked
package io.github.distlock.sample;

import org.jspecify.annotations.NullMarked;
