package io.github.distlock.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the {@code distributed.lock.held} observation; declare a bean of it to replace
 * {@link DefaultLockHeldObservationConvention}.
 *
 * @since 0.1.0
 */
public interface LockHeldObservationConvention extends ObservationConvention<LockHeldContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof LockHeldContext;
    }

}
