package io.github.distlock.spring.observation;

import io.micrometer.observation.Observation;

/**
 * What both observations of a locked call know: which lock, under which key, on which backend. Immutable in these
 * parts; the subclasses add their outcome.
 *
 * @since 0.1.0
 */
public abstract class LockObservationContext extends Observation.Context {

    private final String lockName;

    private final String key;

    private final String backend;

    /**
     * Creates the context.
     * @param lockName the lock's name as the annotation gives it
     * @param key the lock key as sent to the backend
     * @param backend the backend's name
     */
    protected LockObservationContext(String lockName, String key, String backend) {
        this.lockName = lockName;
        this.key = key;
        this.backend = backend;
    }

    /**
     * Returns the lock's name as the annotation gives it.
     * @return the name
     */
    public String getLockName() {
        return this.lockName;
    }

    /**
     * Returns the lock key as sent to the backend.
     * @return the key
     */
    public String getKey() {
        return this.key;
    }

    /**
     * Returns the backend's name.
     * @return the backend
     */
    public String getBackend() {
        return this.backend;
    }

}
