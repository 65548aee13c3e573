/**
 * The contract every lease backend must pass: extend
 * {@link io.github.distlock.testkit.LeaseBackendContractTests} (or
 * {@link io.github.distlock.testkit.FencingLeaseBackendContractTests} for a backend that issues fencing tokens),
 * implement {@code createBackend()}, and add {@link io.github.distlock.testkit.ReleaseNotificationContract} when
 * the backend announces releases. No test of the kit is ever skipped: a capability is tested exactly when the
 * backend's test class declares it.
 */
@NullMarked
package io.github.distlock.testkit;

import org.jspecify.annotations.NullMarked;
