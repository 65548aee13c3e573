package io.github.distlock.spring.observation;

import java.util.Locale;

import io.github.distlock.spring.observation.DistributedLockObservationDocumentation.HighCardinalityKeyNames;
import io.github.distlock.spring.observation.DistributedLockObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * The default names and tags of {@code distributed.lock.acquire}: the lock's name, backend, outcome and
 * when-locked policy as low-cardinality keys, the key as a high-cardinality one. Stateless and thread-safe; extend
 * it to add keys.
 *
 * @since 0.1.0
 */
public class DefaultLockAcquireObservationConvention implements LockAcquireObservationConvention {

    /** The shared instance. */
    public static final DefaultLockAcquireObservationConvention INSTANCE = new DefaultLockAcquireObservationConvention();

    @Override
    public String getName() {
        return "distributed.lock.acquire";
    }

    @Override
    public String getContextualName(LockAcquireContext context) {
        return "lock " + context.getLockName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(LockAcquireContext context) {
        return KeyValues.of(LowCardinalityKeyNames.LOCK_NAME.withValue(context.getLockName()),
                LowCardinalityKeyNames.BACKEND.withValue(context.getBackend()),
                LowCardinalityKeyNames.OUTCOME.withValue(context.getOutcome().value()),
                LowCardinalityKeyNames.WHEN_LOCKED.withValue(context.getWhenLocked().name().toLowerCase(Locale.ROOT)));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(LockAcquireContext context) {
        return KeyValues.of(HighCardinalityKeyNames.KEY.withValue(context.getKey()));
    }

}
