package io.github.distlock.spring.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of locked methods, their names and keys. Only bounded values are low-cardinality keys (and
 * so tags of the timers a meter handler makes): the lock's name as the annotation gives it, the backend, the
 * outcome and the when-locked policy. The evaluated key, which has as many values as the data it guards, is
 * high-cardinality only: in traces, never in metrics.
 *
 * @since 0.1.0
 */
public enum DistributedLockObservationDocumentation implements ObservationDocumentation {

    /**
     * From the request for a lock until it is granted, refused or failed; waiting included.
     */
    ACQUIRE {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultLockAcquireObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] { LowCardinalityKeyNames.LOCK_NAME, LowCardinalityKeyNames.BACKEND,
                    LowCardinalityKeyNames.OUTCOME, LowCardinalityKeyNames.WHEN_LOCKED };
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return HighCardinalityKeyNames.values();
        }
    },

    /**
     * From the grant of a lock until its release: how long the method kept it.
     */
    HELD {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultLockHeldObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] { LowCardinalityKeyNames.LOCK_NAME, LowCardinalityKeyNames.BACKEND,
                    LowCardinalityKeyNames.OUTCOME };
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return HighCardinalityKeyNames.values();
        }
    };

    /**
     * Keys with a bounded set of values.
     */
    public enum LowCardinalityKeyNames implements KeyName {

        /** The lock's name: the annotation's {@code name} (or its default), never the evaluated key. */
        LOCK_NAME {
            @Override
            public String asString() {
                return "distributed.lock.name";
            }
        },

        /** The backend's name, for example {@code redis}. */
        BACKEND {
            @Override
            public String asString() {
                return "distributed.lock.backend";
            }
        },

        /** How it ended: an {@link LockAcquireContext.Outcome} or a {@link LockHeldContext.Outcome}. */
        OUTCOME {
            @Override
            public String asString() {
                return "distributed.lock.outcome";
            }
        },

        /** The annotation's {@code whenLocked} policy: {@code wait}, {@code skip} or {@code fail}. */
        WHEN_LOCKED {
            @Override
            public String asString() {
                return "distributed.lock.when-locked";
            }
        }

    }

    /**
     * Keys with as many values as the data the lock guards.
     */
    public enum HighCardinalityKeyNames implements KeyName {

        /** The lock key as sent to the backend (prefix, name and evaluated key). */
        KEY {
            @Override
            public String asString() {
                return "distributed.lock.key";
            }
        }

    }

}
