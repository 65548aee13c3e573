package io.github.distlock.chaos;

import org.jspecify.annotations.Nullable;

/**
 * One entry of a run's history, as the {@link Hub} recorded it: a worker's report, a request to the fenced resource
 * with the resource's answer, or a mark the test made (a fault struck or healed).
 *
 * @param seq the position in the history: the hub records under one lock, so this is the order in which the
 *     resource saw things
 * @param hubNanos the test JVM's {@link System#nanoTime()} when it was recorded (the test JVM is never paused and
 *     owns the clock)
 * @param kind what happened
 * @param worker the worker JVM ({@code w1}, ...), or {@code test} for a mark
 * @param grant the grant it belongs to ({@code w1.0.17}: worker, thread, sequence), or {@code ""}
 * @param key the lock key, or {@code ""}
 * @param token the fencing token, or {@code null} when the grant has none
 * @param workerNanos the worker's own {@link System#nanoTime()} when it sent the report (for durations inside one
 *     worker), or 0
 * @param readValue for a write, the value its grant read; for an accepted read, the value returned
 * @param detail free text (a mark's name, a reason)
 */
public record HistoryEvent(long seq, long hubNanos, Kind kind, String worker, String grant, String key,
        @Nullable Long token, long workerNanos, long readValue, String detail) {

    /** What an entry records. */
    public enum Kind {

        /** The worker's engine granted a lease. */
        GRANTED,

        /** The worker was told its lease was lost (the engine's loss listener). */
        LOST,

        /** The worker released its lease (after the release call returned). */
        RELEASED,

        /** The worker's acquire was refused or failed; the detail says how. */
        NOT_ACQUIRED,

        /** The resource accepted a read. */
        READ,

        /** The resource refused a read: a higher token had been seen. */
        READ_REJECTED,

        /** The resource accepted a write. */
        WRITE,

        /** The resource refused a write: a higher token, or the same token from another grant, had been seen. */
        WRITE_REJECTED,

        /** The test marked a moment (a fault struck, healed). */
        MARK

    }

    /**
     * Whether this is a request to the resource, accepted or not.
     * @return whether it is a read or a write
     */
    public boolean isAccess() {
        return this.kind == Kind.READ || this.kind == Kind.READ_REJECTED || this.kind == Kind.WRITE
                || this.kind == Kind.WRITE_REJECTED;
    }

    /**
     * Whether this is an access the resource accepted.
     * @return whether it is an accepted read or write
     */
    public boolean isAccepted() {
        return this.kind == Kind.READ || this.kind == Kind.WRITE;
    }

    @Override
    public String toString() {
        return String.format("#%d %+.3fs %s %s %s key=%s token=%s%s%s", this.seq, this.hubNanos / 1e9,
                this.kind, this.worker, this.grant, this.key, this.token,
                (this.kind == Kind.WRITE || this.kind == Kind.WRITE_REJECTED) ? " read=" + this.readValue : "",
                this.detail.isEmpty() ? "" : " " + this.detail);
    }

}
