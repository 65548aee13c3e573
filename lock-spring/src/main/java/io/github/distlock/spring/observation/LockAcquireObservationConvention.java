package io.github.distlock.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the {@code distributed.lock.acquire} observation; declare a bean of it to replace
 * {@link DefaultLockAcquireObservationConvention}.
 *
 * @since 0.1.0
 */
public interface LockAcquireObservationConvention extends ObservationConvention<LockAcquireContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof LockAcquireContext;
    }

}
