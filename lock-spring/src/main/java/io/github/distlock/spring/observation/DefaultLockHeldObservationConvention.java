package io.github.distlock.spring.observation;

import io.github.distlock.spring.observation.DistributedLockObservationDocumentation.HighCardinalityKeyNames;
import io.github.distlock.spring.observation.DistributedLockObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * The default names and tags of {@code distributed.lock.held}: the lock's name, backend and outcome as
 * low-cardinality keys, the key as a high-cardinality one. Stateless and thread-safe; extend it to add keys.
 *
 * @since 0.1.0
 */
public class DefaultLockHeldObservationConvention implements LockHeldObservationConvention {

    /** The shared instance. */
    public static final DefaultLockHeldObservationConvention INSTANCE = new DefaultLockHeldObservationConvention();

    @Override
    public String getName() {
        return "distributed.lock.held";
    }

    @Override
    public String getContextualName(LockHeldContext context) {
        return "hold " + context.getLockName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(LockHeldContext context) {
        return KeyValues.of(LowCardinalityKeyNames.LOCK_NAME.withValue(context.getLockName()),
                LowCardinalityKeyNames.BACKEND.withValue(context.getBackend()),
                LowCardinalityKeyNames.OUTCOME.withValue(context.getOutcome().value()));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(LockHeldContext context) {
        return KeyValues.of(HighCardinalityKeyNames.KEY.withValue(context.getKey()));
    }

}
