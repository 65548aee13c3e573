package io.github.distlock.core;

import java.time.Duration;

/**
 * Thrown when a lock is held by someone else and was not granted within the wait time (or, for a request without
 * a wait time, at its one attempt). No lease was taken.
 *
 * @since 0.1.0
 */
public class LockNotAcquiredException extends DistributedLockException {

    private static final long serialVersionUID = 1L;

    private final Duration waitTime;

    /**
     * Creates an exception for a lock that stayed held by another owner for the whole wait.
     * @param key the lock key
     * @param waitTime how long the caller waited; {@link Duration#ZERO} for one attempt
     */
    public LockNotAcquiredException(String key, Duration waitTime) {
        super(key, "Lock " + heldBy(key, waitTime), null);
        this.waitTime = waitTime;
    }

    /**
     * Creates an exception for a lock that some work needed, so that the message also says that this work did not
     * run, for example {@code "OrderService.charge(Order) did not run: lock 'order:7' is held by another owner"}.
     * @param key the lock key
     * @param waitTime how long the caller waited; {@link Duration#ZERO} for one attempt
     * @param work the work that did not run, as shown to people, for example {@code OrderService.charge(Order)}
     */
    public LockNotAcquiredException(String key, Duration waitTime, String work) {
        super(key, work + " did not run: lock " + heldBy(key, waitTime), null);
        this.waitTime = waitTime;
    }

    /**
     * Returns how long the caller was willing to wait.
     * @return the wait time of the request
     */
    public Duration getWaitTime() {
        return this.waitTime;
    }

    private static String heldBy(String key, Duration waitTime) {
        String held = "'" + key + "' is held by another owner";
        // One attempt has no wait to report; "within PT0S" reads as a bug.
        return waitTime.isZero() ? held : held + " and was not granted within " + readable(waitTime);
    }

    /**
     * Writes a duration as people write it: {@code 300ms}, {@code 1.5s}, {@code 1m 30s}, {@code 2h}.
     */
    private static String readable(Duration duration) {
        if (duration.compareTo(Duration.ofMillis(1)) < 0) {
            return duration.toNanos() + "ns";
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            return duration.toMillis() + "ms";
        }
        StringBuilder text = new StringBuilder();
        if (duration.toHours() > 0) {
            text.append(duration.toHours()).append('h');
        }
        if (duration.toMinutesPart() > 0) {
            text.append(text.isEmpty() ? "" : " ").append(duration.toMinutesPart()).append('m');
        }
        int seconds = duration.toSecondsPart();
        int millis = duration.toMillisPart();
        if (seconds > 0 || millis > 0) {
            text.append(text.isEmpty() ? "" : " ").append(seconds);
            if (millis > 0) {
                String fraction = String.format("%03d", millis).replaceAll("0+$", "");
                text.append('.').append(fraction);
            }
            text.append('s');
        }
        return text.toString();
    }

}
