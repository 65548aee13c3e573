package io.github.distlock.spring.observation;

import java.util.OptionalLong;

/**
 * What the {@code distributed.lock.held} observation knows of one granted lock. Filled by the call that holds it;
 * for an asynchronous method the outcome is set by the thread that completes its result, before the observation
 * stops.
 *
 * @since 0.1.0
 */
public class LockHeldContext extends LockObservationContext {

    private final OptionalLong fencingToken;

    // Written once, by whichever thread ends the hold, before it stops the observation.
    private volatile Outcome outcome = Outcome.PENDING;

    /**
     * Creates the context of one hold.
     * @param lockName the lock's name as the annotation gives it
     * @param key the lock key as sent to the backend
     * @param backend the backend's name
     * @param fencingToken the lease's fencing token, if the backend issues them
     */
    public LockHeldContext(String lockName, String key, String backend, OptionalLong fencingToken) {
        super(lockName, key, backend);
        this.fencingToken = fencingToken;
    }

    /**
     * Returns the lease's fencing token.
     * @return the token, empty when the backend issues none
     */
    public OptionalLong getFencingToken() {
        return this.fencingToken;
    }

    /**
     * Returns how the hold ended; {@link Outcome#PENDING} until it is set.
     * @return the outcome
     */
    public Outcome getOutcome() {
        return this.outcome;
    }

    /**
     * Sets how the hold ended.
     * @param outcome the outcome
     */
    public void setOutcome(Outcome outcome) {
        this.outcome = outcome;
    }

    /**
     * How a hold ended.
     */
    public enum Outcome {

        /** Not ended yet: the value while the observation runs (the tag of its long task timer). */
        PENDING("pending"),

        /** The method completed and the lease was still held when it was released. */
        RELEASED("released"),

        /** The lease was lost while the method ran: part of its work was not protected. */
        LOST("lost"),

        /** The method threw (or its result completed exceptionally) while the lease was held. */
        ERROR("error");

        private final String value;

        Outcome(String value) {
            this.value = value;
        }

        /**
         * Returns the value of the outcome key.
         * @return for example {@code lost}
         */
        public String value() {
            return this.value;
        }

    }

}
