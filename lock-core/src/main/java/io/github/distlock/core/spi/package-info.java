/**
 * The backend SPI: {@link io.github.distlock.core.spi.LeaseBackend} is the mechanism (one atomic attempt, an
 * owner-checked renew, an owner-checked release); optional capabilities are separate interfaces that the engine
 * discovers with {@code instanceof}.
 */
@NullMarked
package io.github.distlock.core.spi;

import org.jspecify.annotations.NullMarked;
