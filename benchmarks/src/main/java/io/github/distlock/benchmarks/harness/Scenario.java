package io.github.distlock.benchmarks.harness;

/**
 * The timed scenarios of the comparison.
 */
public enum Scenario {

    /** One thread of one node locks and unlocks its own key. */
    ONE_THREAD("1 thread, uncontended", "lock+unlock/s"),

    /** Many threads of one node, each with its own key. */
    MANY_THREADS("16 threads, uncontended", "lock+unlock/s"),

    /** Separate nodes, one thread each, on one key with a tiny critical section. */
    CONTENDED("8 nodes, one key", "grants/s");

    private final String title;

    private final String unit;

    Scenario(String title, String unit) {
        this.title = title;
        this.unit = unit;
    }

    /**
     * Returns the scenario's name in reports.
     * @return the title
     */
    public String title() {
        return this.title;
    }

    /**
     * Returns the unit of its rate.
     * @return the unit
     */
    public String unit() {
        return this.unit;
    }

    /**
     * Returns the rate of one measured pass: operations (or grants inside the window) per second.
     * @param result the pass
     * @return the rate per second
     */
    public double rate(Fields result) {
        if (this == CONTENDED) {
            return result.getLong("grantsInWindow") * 1e9 / result.getLong("windowNanos");
        }
        return result.getLong("ops") * 1e9 / result.getLong("nanos");
    }

    /**
     * Returns the hand-offs per second of a contended pass: grants that went to another node than the previous
     * grant. A node that takes the lock again right after releasing it adds a grant but no hand-off.
     * @param result a pass of {@link #CONTENDED}
     * @return hand-offs per second
     */
    public static double handoffRate(Fields result) {
        return result.getLong("handoffsInWindow") * 1e9 / result.getLong("windowNanos");
    }

    /**
     * Returns how many lock operations the pass's command counts are spread over.
     * @param result the pass
     * @return operations (uncontended) or grants (contended)
     */
    public long operations(Fields result) {
        return result.getLong((this == CONTENDED) ? "grants" : "ops");
    }

}
