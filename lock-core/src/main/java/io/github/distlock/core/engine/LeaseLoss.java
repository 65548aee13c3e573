package io.github.distlock.core.engine;

/**
 * A lease an engine lost, as told to {@link LockEngine#addLeaseLossObserver its observers}.
 *
 * @param name the request's name, empty when it had none
 * @param key the lock key
 * @param backend the backend's name
 * @param cause why, as one of a few values (fit for a metric's tag)
 * @param reason why, in words (for a log line)
 * @since 0.1.0
 */
public record LeaseLoss(String name, String key, String backend, Cause cause, String reason) {

    /**
     * Why a lease was lost, as one of a few values.
     */
    public enum Cause {

        /** A renewal reached the backend, which said that this owner no longer holds the key. */
        RENEWAL_REFUSED("renewal-refused"),

        /** The validity passed without a successful renewal (the backend was slow or unreachable, or renewal is off). */
        EXPIRED("expired"),

        /** The engine was closed while the lease was held. */
        ENGINE_CLOSED("engine-closed");

        private final String tagValue;

        Cause(String tagValue) {
            this.tagValue = tagValue;
        }

        /**
         * Returns the value as written in metrics and logs.
         * @return for example {@code renewal-refused}
         */
        public String tagValue() {
            return this.tagValue;
        }

    }

}
