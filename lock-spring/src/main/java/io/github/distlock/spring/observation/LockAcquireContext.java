package io.github.distlock.spring.observation;

import io.github.distlock.spring.WhenLocked;

/**
 * What the {@code distributed.lock.acquire} observation knows of one request. Created and filled by one call on one
 * thread; the outcome is set before the observation stops.
 *
 * @since 0.1.0
 */
public class LockAcquireContext extends LockObservationContext {

    private final WhenLocked whenLocked;

    private Outcome outcome = Outcome.PENDING;

    /**
     * Creates the context of one request.
     * @param lockName the lock's name as the annotation gives it
     * @param key the lock key as sent to the backend
     * @param backend the backend's name
     * @param whenLocked the annotation's policy
     */
    public LockAcquireContext(String lockName, String key, String backend, WhenLocked whenLocked) {
        super(lockName, key, backend);
        this.whenLocked = whenLocked;
    }

    /**
     * Returns the annotation's policy for a held lock.
     * @return the policy
     */
    public WhenLocked getWhenLocked() {
        return this.whenLocked;
    }

    /**
     * Returns how the request ended; {@link Outcome#PENDING} until it is set.
     * @return the outcome
     */
    public Outcome getOutcome() {
        return this.outcome;
    }

    /**
     * Sets how the request ended.
     * @param outcome the outcome
     */
    public void setOutcome(Outcome outcome) {
        this.outcome = outcome;
    }

    /**
     * How a request for a lock ended.
     */
    public enum Outcome {

        /** Not ended yet: the value while the observation runs (the tag of its long task timer). */
        PENDING("pending"),

        /** The lock was granted. */
        ACQUIRED("acquired"),

        /** The lock stayed held by another owner (for {@code WAIT}, for the whole wait); the method did not run. */
        NOT_ACQUIRED("not-acquired"),

        /** The lock was held by another owner and the policy is {@code SKIP}: the method was skipped. */
        SKIPPED("skipped"),

        /** The backend could not be asked; the method did not run. */
        UNAVAILABLE("unavailable"),

        /** The waiting thread was interrupted (or a reactive subscription cancelled while waiting); the method did
         * not run. */
        INTERRUPTED("interrupted"),

        /** Anything else, for example a key the backend cannot store; the method did not run. */
        ERROR("error");

        private final String value;

        Outcome(String value) {
            this.value = value;
        }

        /**
         * Returns the value of the outcome key.
         * @return for example {@code not-acquired}
         */
        public String value() {
            return this.value;
        }

    }

}
