/**
 * The scenarios of the demo page: several simulated servers, each with its own lock client, charge the same orders
 * or buy the same last item, with the lock on or off.
 */
@NullMarked
package io.github.distlock.sample.scenario;

import org.jspecify.annotations.NullMarked;
