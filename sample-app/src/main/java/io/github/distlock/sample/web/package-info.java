/**
 * The REST endpoints of the sample, with every error answered as an RFC 9457 problem detail.
 */
@NullMarked
package io.github.distlock.sample.web;

import org.jspecify.annotations.NullMarked;
