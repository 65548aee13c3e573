package io.github.distlock.benchmarks.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.distlock.benchmarks.contenders.Contenders;

/**
 * How long and how hard the comparison runs. Immutable.
 *
 * @param contenders the contenders, the floor included
 * @param rounds how many interleaved rounds; medians are taken over them
 * @param warmup the warm-up pass before each uncontended measurement
 * @param measure each uncontended measurement
 * @param manyThreads the thread count of the many-threads scenario
 * @param nodes the node count of the contended scenario
 * @param contendedWarmup the warm-up pass before each contended measurement
 * @param contendedMeasure each contended measurement
 * @param criticalSectionNanos how long a node spins while holding the contended lock
 * @param census how long each census pass runs (MONITOR on Redis, the transaction count on PostgreSQL)
 * @param scaleKeys how many distinct keys the scale scenario locks (0 skips it)
 * @param scaleThreads the threads of the scale scenario
 * @param settleTime how long to wait after the keys are gone before the last memory reading
 * @param jdbcScaleKeys how many distinct keys the JDBC backend's scale scenario locks (0 skips it)
 * @param jdbcDrainTime how long the JDBC scale scenario watches the lock table shrink afterwards
 * @param jvmOptions options of every contender JVM
 */
public record HarnessSettings(List<Contenders> contenders, int rounds, Duration warmup, Duration measure,
        int manyThreads, int nodes, Duration contendedWarmup, Duration contendedMeasure, long criticalSectionNanos,
        Duration census, int scaleKeys, int scaleThreads, Duration settleTime, int jdbcScaleKeys,
        Duration jdbcDrainTime, List<String> jvmOptions) {

    /** The JVM options of the contender processes. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC");

    /**
     * Validates the settings.
     */
    public HarnessSettings {
        contenders = List.copyOf(contenders);
        jvmOptions = List.copyOf(jvmOptions);
        if (!contenders.contains(Contenders.FLOOR)) {
            throw new IllegalArgumentException("the floor must be among the contenders: ratios are taken to it");
        }
        if (contenders.stream().anyMatch(Contenders::usesPostgres) && !contenders.contains(Contenders.PG_FLOOR)) {
            throw new IllegalArgumentException("the PostgreSQL floor must be among the contenders when any PostgreSQL "
                    + "contender is: their ratios are taken to it");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1");
        }
    }

    /**
     * Returns settings that run every contender with the given timings.
     * @param rounds the rounds
     * @param warmupMillis the warm-up pass before each measurement (the contender JVMs stay warm across rounds)
     * @param measureMillis each measurement, uncontended and contended
     * @param censusMillis the length of each census pass
     * @param scaleKeys the keys of the scale scenario
     * @param jdbcScaleKeys the keys of the JDBC backend's scale scenario
     * @param jdbcDrainTime how long to watch the lock table afterwards
     * @return the settings
     */
    public static HarnessSettings of(int rounds, long warmupMillis, long measureMillis, long censusMillis,
            int scaleKeys, int jdbcScaleKeys, Duration jdbcDrainTime) {
        return new HarnessSettings(Contenders.all(), rounds, Duration.ofMillis(warmupMillis),
                Duration.ofMillis(measureMillis), 16, 8, Duration.ofMillis(warmupMillis),
                Duration.ofMillis(measureMillis), 10_000, Duration.ofMillis(censusMillis), scaleKeys, 16,
                Duration.ofSeconds(5), jdbcScaleKeys, jdbcDrainTime, DEFAULT_JVM_OPTIONS);
    }

    /**
     * Returns the numbers of other application instances the instances scenario measures with: 0, 8, 32 and 64, or
     * 0 and 2 in a run too short for a scale scenario worth the name (the smoke test).
     * @return the counts, ascending
     */
    public List<Integer> otherInstanceCounts() {
        return (this.scaleKeys >= 10_000) ? List.of(0, 8, 32, 64) : List.of(0, 2);
    }

    /**
     * Returns how many threads the flash sale starts at once (over {@link #nodes()} nodes): 2,000, or 40 in the
     * smoke test.
     * @return the threads
     */
    public int flashSaleThreads() {
        return (this.scaleKeys >= 10_000) ? 2000 : 40;
    }

    /**
     * Returns a copy with other contenders (the floor is always kept, and the PostgreSQL floor whenever a PostgreSQL
     * contender is among them).
     * @param contenders the contenders
     * @return the copy
     */
    public HarnessSettings withContenders(List<Contenders> contenders) {
        List<Contenders> withFloor = new ArrayList<>(contenders);
        if (!withFloor.contains(Contenders.FLOOR)) {
            withFloor.add(0, Contenders.FLOOR);
        }
        if (withFloor.stream().anyMatch(Contenders::usesPostgres) && !withFloor.contains(Contenders.PG_FLOOR)) {
            withFloor.add(Contenders.PG_FLOOR);
        }
        return new HarnessSettings(withFloor, this.rounds, this.warmup, this.measure, this.manyThreads, this.nodes,
                this.contendedWarmup, this.contendedMeasure, this.criticalSectionNanos, this.census, this.scaleKeys,
                this.scaleThreads, this.settleTime, this.jdbcScaleKeys, this.jdbcDrainTime, this.jvmOptions);
    }

    /**
     * Returns a copy with a settle time.
     * @param settleTime how long to wait before the last memory reading
     * @return the copy
     */
    public HarnessSettings withSettleTime(Duration settleTime) {
        return new HarnessSettings(this.contenders, this.rounds, this.warmup, this.measure, this.manyThreads,
                this.nodes, this.contendedWarmup, this.contendedMeasure, this.criticalSectionNanos, this.census,
                this.scaleKeys, this.scaleThreads, settleTime, this.jdbcScaleKeys, this.jdbcDrainTime, this.jvmOptions);
    }

}
