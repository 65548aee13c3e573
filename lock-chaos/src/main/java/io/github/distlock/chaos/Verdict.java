package io.github.distlock.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * What the {@link HistoryChecker} found in one history.
 *
 * @param grants how many leases the workers reported granted
 * @param accepted how many reads and writes the resource accepted
 * @param rejected how many it refused (fenced off)
 * @param overlaps pairs of grants of one key whose critical sections interleaved
 * @param unfencedOverlaps those of them in which fencing kept neither out: both wrote
 * @param staleAccepted accesses accepted with a token below (or equal to, from another grant) one accepted before
 * @param lostUpdates accepted writes that overwrote a write they had not read
 * @param tokenOrderViolations grants whose token was not above that of a grant that ended before they began, or that
 *     repeated another grant's token
 * @param handOffNanos on the hot keys, the times from a release to the next grant
 * @param violations the first few violations (and overlaps), each with the key's history around it
 */
public record Verdict(int grants, int accepted, int rejected, int overlaps, int unfencedOverlaps, int staleAccepted,
        int lostUpdates, int tokenOrderViolations, List<Long> handOffNanos, List<String> violations) {

    /**
     * Whether the fenced resource came to no harm: no stale write accepted, no update lost, no overlap that fencing
     * did not stop, tokens in grant order (S2, S3, S4; S1 in the sense that every overlap was fenced off).
     * @return whether the history is safe with fencing
     */
    public boolean safeWithFencing() {
        return this.staleAccepted == 0 && this.lostUpdates == 0 && this.unfencedOverlaps == 0
                && this.tokenOrderViolations == 0;
    }

    /**
     * Whether the history is safe without any help from fencing: no overlap at all, and {@link #safeWithFencing()}.
     * @return whether the lock alone kept holders apart
     */
    public boolean exclusive() {
        return this.overlaps == 0 && safeWithFencing();
    }

    /**
     * Returns the hand-off time at a percentile.
     * @param percentile for example 50 or 99
     * @return milliseconds, or -1 when no hand-off was seen
     */
    public double handOffMillis(double percentile) {
        return percentileMillis(this.handOffNanos, percentile);
    }

    /**
     * Returns a percentile of durations.
     * @param nanos durations in nanoseconds
     * @param percentile for example 50 or 99
     * @return milliseconds (nearest rank), or -1 when there are none
     */
    public static double percentileMillis(List<Long> nanos, double percentile) {
        if (nanos.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        int rank = (int) Math.ceil(percentile / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))) / 1e6;
    }

    /**
     * Describes the verdict in one line, then its violations.
     * @return the description
     */
    public String describe() {
        return String.format("grants=%d accepted=%d rejected=%d overlaps=%d (unfenced %d) staleAccepted=%d "
                + "lostUpdates=%d tokenOrder=%d handOff p50=%.1fms p99=%.1fms%n%s", this.grants, this.accepted,
                this.rejected, this.overlaps, this.unfencedOverlaps, this.staleAccepted, this.lostUpdates,
                this.tokenOrderViolations, handOffMillis(50), handOffMillis(99), String.join("\n", this.violations));
    }

}
