package io.github.distlock.spring;

/**
 * What a {@link DistributedLock} method does when another owner holds its lock.
 *
 * @since 0.1.0
 */
public enum WhenLocked {

    /**
     * {@link #SKIP} for a method that returns {@code void} and is annotated
     * {@link org.springframework.scheduling.annotation.Scheduled @Scheduled} (a scheduled job: another instance
     * runs this period, and waiting would only run it again late), {@link #WAIT} for every other method. Resolved
     * once per method when the operation is built; a policy stated explicitly is always kept, so a scheduled method
     * with {@code whenLocked = WAIT} waits.
     */
    DEFAULT,

    /**
     * Wait up to the wait time for the holder to release it, then throw
     * {@link io.github.distlock.core.LockNotAcquiredException}.
     */
    WAIT,

    /**
     * Make one attempt; if the lock is held, do not run the method and return an empty value: {@code null} (also for
     * {@code void}), {@code false} for {@code boolean}, an empty {@code Optional}, {@code OptionalInt},
     * {@code OptionalLong}, {@code OptionalDouble}, {@code List}, {@code Set} or {@code Map}, or a future completed
     * with {@code null}. Methods returning other primitives cannot skip and fail start-up.
     */
    SKIP,

    /**
     * Make one attempt; if the lock is held, throw {@link io.github.distlock.core.LockNotAcquiredException} at once.
     */
    FAIL

}
