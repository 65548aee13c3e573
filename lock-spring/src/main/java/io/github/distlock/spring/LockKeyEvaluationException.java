package io.github.distlock.spring;

/**
 * Thrown when the key of a {@link DistributedLock} method cannot be computed for a call: the expression threw, it
 * gave {@code null} or an empty string, or it gave a value whose text does not identify it (an object whose class
 * has no {@code toString()} of its own, an array, a collection or a map). No lock was taken and the method did not
 * run.
 *
 * @since 0.1.0
 */
public class LockKeyEvaluationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param message names the method and the expression
     * @param cause the evaluation failure, if any
     */
    public LockKeyEvaluationException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Creates the exception.
     * @param message names the method and the expression
     */
    public LockKeyEvaluationException(String message) {
        super(message);
    }

}
