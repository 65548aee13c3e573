/**
 * Micrometer observations of locked methods: {@code distributed.lock.acquire} from the request until it is
 * granted, refused or failed, and {@code distributed.lock.held} from the grant to the release, with their contexts
 * and the conventions that name and tag them.
 */
@NullMarked
package io.github.distlock.spring.observation;

import org.jspecify.annotations.NullMarked;
