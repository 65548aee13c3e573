package io.github.distlock.core.spi;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of one {@link LeaseBackend#tryAcquire} attempt: granted (with a fencing token when the backend
 * issues them) or held by another owner (with the holder's remaining lease time when the backend knows it).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class AcquireResult {

    private static final AcquireResult GRANTED_WITHOUT_TOKEN = new AcquireResult(true, false, 0, null);

    private static final AcquireResult HELD_FOR_UNKNOWN_TIME = new AcquireResult(false, false, 0, null);

    private final boolean granted;

    private final boolean hasToken;

    private final long fencingToken;

    private final @Nullable Duration holderRemaining;

    private AcquireResult(boolean granted, boolean hasToken, long fencingToken, @Nullable Duration holderRemaining) {
        this.granted = granted;
        this.hasToken = hasToken;
        this.fencingToken = fencingToken;
        this.holderRemaining = holderRemaining;
    }

    /**
     * The lease was granted; the backend issues no fencing tokens.
     * @return the result
     */
    public static AcquireResult granted() {
        return GRANTED_WITHOUT_TOKEN;
    }

    /**
     * The lease was granted with the given fencing token.
     * @param fencingToken a token strictly greater than every token issued before for this key
     * @return the result
     */
    public static AcquireResult granted(long fencingToken) {
        return new AcquireResult(true, true, fencingToken, null);
    }

    /**
     * Another owner holds the key; how long it keeps it is unknown.
     * @return the result
     */
    public static AcquireResult heldByAnother() {
        return HELD_FOR_UNKNOWN_TIME;
    }

    /**
     * Another owner holds the key for at most the given time unless it renews.
     * @param remaining the holder's remaining lease time as the backend sees it
     * @return the result
     */
    public static AcquireResult heldByAnother(Duration remaining) {
        return new AcquireResult(false, false, 0, remaining.isNegative() ? Duration.ZERO : remaining);
    }

    /**
     * Returns whether the attempt was granted.
     * @return {@code true} if this caller now holds the lease
     */
    public boolean isGranted() {
        return this.granted;
    }

    /**
     * Returns the fencing token of a granted lease.
     * @return the token, or empty when not granted or when the backend issues none
     */
    public OptionalLong fencingToken() {
        return this.hasToken ? OptionalLong.of(this.fencingToken) : OptionalLong.empty();
    }

    /**
     * Returns the holder's remaining lease time when the lock is held by another owner and the backend knows it.
     * @return the remaining time, if known
     */
    public Optional<Duration> holderRemaining() {
        return Optional.ofNullable(this.holderRemaining);
    }

    @Override
    public String toString() {
        if (this.granted) {
            return this.hasToken ? "granted(token=" + this.fencingToken + ")" : "granted";
        }
        return (this.holderRemaining != null) ? "heldByAnother(" + this.holderRemaining + ")" : "heldByAnother";
    }

}
