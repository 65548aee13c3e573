package io.github.distlock.benchmarks.harness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.distlock.benchmarks.contenders.Contenders;

import org.jspecify.annotations.Nullable;

/**
 * Everything one comparison run measured: each contender's passes per scenario (one per round), its MONITOR
 * censuses (Redis) or transaction censuses (PostgreSQL), the scale scenarios, and the failures. Filled by {@link ComparisonHarness} on one thread, then read.
 */
public final class ComparisonResult {

    private final HarnessSettings settings;

    private final Map<Scenario, Map<Contenders, List<Fields>>> passes = new EnumMap<>(Scenario.class);

    private final Map<Scenario, Map<Contenders, Census>> censuses = new EnumMap<>(Scenario.class);

    private final Map<Scenario, Map<Contenders, TransactionCensus>> transactionCensuses = new EnumMap<>(Scenario.class);

    private final List<String> failures = new ArrayList<>();

    private final Map<Contenders, List<Fields>> instances = new LinkedHashMap<>();

    private final Map<Contenders, Fields> flashSales = new LinkedHashMap<>();

    private final Map<String, String> environment = new LinkedHashMap<>();

    private @Nullable ScaleResult scale;

    private @Nullable JdbcScaleResult jdbcScale;

    ComparisonResult(HarnessSettings settings) {
        this.settings = settings;
        for (Scenario scenario : Scenario.values()) {
            this.passes.put(scenario, new LinkedHashMap<>());
            this.censuses.put(scenario, new LinkedHashMap<>());
            this.transactionCensuses.put(scenario, new LinkedHashMap<>());
        }
    }

    void addPass(Scenario scenario, Contenders contender, Fields result) {
        this.passes.get(scenario).computeIfAbsent(contender, c -> new ArrayList<>()).add(result);
    }

    void addCensus(Scenario scenario, Contenders contender, Census census) {
        this.censuses.get(scenario).put(contender, census);
    }

    void addTransactionCensus(Scenario scenario, Contenders contender, TransactionCensus census) {
        this.transactionCensuses.get(scenario).put(contender, census);
    }

    /**
     * Returns the transaction census of a PostgreSQL contender in a scenario.
     * @param scenario {@link Scenario#ONE_THREAD} or {@link Scenario#CONTENDED}
     * @param contender the contender
     * @return the census, or {@code null} if none ran
     */
    public @Nullable TransactionCensus transactionCensus(Scenario scenario, Contenders contender) {
        return this.transactionCensuses.get(scenario).get(contender);
    }

    void setFlashSale(Contenders contender, Fields result) {
        this.flashSales.put(contender, result);
    }

    /**
     * Returns the flash-sale pass of each contender that ran it.
     * @return the passes by contender
     */
    public Map<Contenders, Fields> flashSales() {
        return this.flashSales;
    }

    void addInstancesPass(Contenders contender, Fields result) {
        this.instances.computeIfAbsent(contender, c -> new ArrayList<>()).add(result);
    }

    /**
     * Returns the passes of the instances scenario, by contender, in the order of their number of other instances.
     * @return the passes
     */
    public Map<Contenders, List<Fields>> instances() {
        return this.instances;
    }

    void addFailure(String failure) {
        this.failures.add(failure);
    }

    void setScale(ScaleResult scale) {
        this.scale = scale;
    }

    void setJdbcScale(JdbcScaleResult jdbcScale) {
        this.jdbcScale = jdbcScale;
    }

    void putEnvironment(String name, String value) {
        this.environment.put(name, value);
    }

    /**
     * Returns the settings the run used.
     * @return the settings
     */
    public HarnessSettings settings() {
        return this.settings;
    }

    /**
     * Returns a contender's measured passes of a scenario, one per round in which it succeeded.
     * @param scenario the scenario
     * @param contender the contender
     * @return the passes
     */
    public List<Fields> passes(Scenario scenario, Contenders contender) {
        return this.passes.get(scenario).getOrDefault(contender, List.of());
    }

    /**
     * Returns the median rate of a contender in a scenario.
     * @param scenario the scenario
     * @param contender the contender
     * @return the median per second, or {@code NaN} without passes
     */
    public double medianRate(Scenario scenario, Contenders contender) {
        return median(passes(scenario, contender).stream().map(scenario::rate).toList());
    }

    /**
     * Returns the median hand-off rate of a contender in the contended scenario.
     * @param contender the contender
     * @return hand-offs per second, or {@code NaN} without passes
     */
    public double medianHandoffRate(Contenders contender) {
        return median(passes(Scenario.CONTENDED, contender).stream().map(Scenario::handoffRate).toList());
    }

    /**
     * Returns a contender's median rate divided by the median rate of {@linkplain Contenders#floor() its floor} in
     * the same run.
     * @param scenario the scenario
     * @param contender the contender
     * @return the ratio, or {@code NaN}
     */
    public double ratioToFloor(Scenario scenario, Contenders contender) {
        return medianRate(scenario, contender) / medianRate(scenario, contender.floor());
    }

    /**
     * Returns a contender's median rate divided by the best median rate of the other libraries of its group (Redis
     * or PostgreSQL; floors left out) in the same run.
     * @param scenario the scenario
     * @param contender the contender
     * @return the ratio, or {@code NaN} when no other library ran
     */
    public double ratioToBestOther(Scenario scenario, Contenders contender) {
        double best = this.settings.contenders().stream()
            .filter(other -> other != contender && !other.isFloor() && other.usesPostgres() == contender.usesPostgres())
            .mapToDouble(other -> medianRate(scenario, other))
            .filter(rate -> !Double.isNaN(rate))
            .max()
            .orElse(Double.NaN);
        return medianRate(scenario, contender) / best;
    }

    /**
     * Returns the fairness of a contender on one key: fewest over most grants per node, in the middle pass over the
     * rounds (the upper one of the two middle passes when their number is even).
     * @param contender the contender
     * @return the fairness, 0 without passes
     */
    public double medianFairness(Contenders contender) {
        List<Fields> passes = passes(Scenario.CONTENDED, contender);
        return passes.stream()
            .mapToDouble(p -> p.getLong("fewestPerNode") / (double) Math.max(1, p.getLong("mostPerNode")))
            .sorted()
            .skip(passes.size() / 2)
            .findFirst()
            .orElse(0);
    }

    /**
     * Returns the lowest and highest ratio to the floor of the same round.
     * @param scenario the scenario
     * @param contender the contender
     * @return {min, max}, or NaNs
     */
    public double[] roundRatioRange(Scenario scenario, Contenders contender) {
        List<Fields> own = passes(scenario, contender);
        List<Fields> floor = passes(scenario, contender.floor());
        double min = Double.NaN;
        double max = Double.NaN;
        for (int i = 0; i < Math.min(own.size(), floor.size()); i++) {
            double ratio = scenario.rate(own.get(i)) / scenario.rate(floor.get(i));
            min = Double.isNaN(min) ? ratio : Math.min(min, ratio);
            max = Double.isNaN(max) ? ratio : Math.max(max, ratio);
        }
        return new double[] { min, max };
    }

    /**
     * Returns the median over the rounds of a numeric field.
     * @param scenario the scenario
     * @param contender the contender
     * @param field the field
     * @return the median, or {@code NaN}
     */
    public double medianField(Scenario scenario, Contenders contender, String field) {
        return median(passes(scenario, contender).stream().map(result -> (double) result.getLong(field)).toList());
    }

    /**
     * Returns the median over the rounds of the commands Redis executed per operation (scripts' inner commands
     * included).
     * @param scenario the scenario
     * @param contender the contender
     * @return commands per lock+unlock (uncontended) or per grant (contended)
     */
    public double medianCommandsPerOperation(Scenario scenario, Contenders contender) {
        return median(passes(scenario, contender).stream()
            .filter(result -> !result.commands().isEmpty())
            .map(result -> (double) result.commandTotal() / scenario.operations(result))
            .toList());
    }

    /**
     * Returns the census of a contender in a scenario.
     * @param scenario the scenario
     * @param contender the contender
     * @return the census, or {@code null} if none ran
     */
    public @Nullable Census census(Scenario scenario, Contenders contender) {
        return this.censuses.get(scenario).get(contender);
    }

    /**
     * Returns the scale scenario's result.
     * @return the result, or {@code null} if it did not run
     */
    public @Nullable ScaleResult scale() {
        return this.scale;
    }

    /**
     * Returns the JDBC backend's scale scenario's result.
     * @return the result, or {@code null} if it did not run
     */
    public @Nullable JdbcScaleResult jdbcScale() {
        return this.jdbcScale;
    }

    /**
     * Returns what went wrong, one line each.
     * @return the failures
     */
    public List<String> failures() {
        return List.copyOf(this.failures);
    }

    /**
     * Returns facts about the machine and the versions, in the order they were recorded.
     * @return name to value
     */
    public Map<String, String> environment() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(this.environment));
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /**
     * A MONITOR census of one contender in one scenario.
     * @param operations the lock operations (or grants) in the census pass
     * @param sentByClients calls by command that the clients sent (round trips, when not pipelined)
     * @param runByScripts calls by command that Lua scripts ran on the server
     */
    public record Census(long operations, Map<String, Long> sentByClients, Map<String, Long> runByScripts) {

        /**
         * Returns the commands clients sent per operation.
         * @return client commands per operation
         */
        public double clientCommandsPerOperation() {
            return total(this.sentByClients) / this.operations;
        }

        /**
         * Returns the commands Lua scripts ran per operation.
         * @return script commands per operation
         */
        public double scriptCommandsPerOperation() {
            return total(this.runByScripts) / this.operations;
        }

        private static double total(Map<String, Long> counts) {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

    }

    /**
     * A transaction census of one PostgreSQL contender in one scenario: the commits and rollbacks the server counted
     * in {@code pg_stat_database} for the census database during one pass.
     * @param operations the lock operations (or grants) in the census pass
     * @param transactions the transactions the server counted for them
     */
    public record TransactionCensus(long operations, long transactions) {

        /**
         * Returns the transactions per operation.
         * @return transactions per lock+unlock (uncontended) or per grant (contended)
         */
        public double perOperation() {
            return this.transactions / (double) this.operations;
        }

    }

    /**
     * The scale scenario: many distinct keys locked once each, and the server's memory and key count before and
     * after.
     * @param keys the keys locked and released
     * @param nanos how long that took
     * @param failures acquires that did not succeed
     * @param baselineMemory {@code used_memory} before, bytes
     * @param baselineKeys {@code DBSIZE} before
     * @param memoryAfterRun {@code used_memory} right after the last release
     * @param keysAfterRun {@code DBSIZE} right after the last release
     * @param millisUntilKeysBack how long after the run the key count was back to the baseline (-1: never)
     * @param memoryWhenKeysBack {@code used_memory} at that moment
     * @param settledMemory {@code used_memory} after the settle time
     * @param heapBefore the client JVM's used heap after a GC, before the run
     * @param heapAfter the same after the run
     */
    public record ScaleResult(long keys, long nanos, long failures, long baselineMemory, long baselineKeys,
            long memoryAfterRun, long keysAfterRun, long millisUntilKeysBack, long memoryWhenKeysBack,
            long settledMemory, long heapBefore, long heapAfter) {

        /**
         * Returns the settled memory relative to the baseline.
         * @return for example 0.02 for 2 % above the baseline
         */
        public double settledMemoryGrowth() {
            return (double) (this.settledMemory - this.baselineMemory) / this.baselineMemory;
        }

    }

    /**
     * The JDBC backend's scale scenario: many distinct keys locked once each, then the lock table watched while a
     * quiet application locks one key ten times a second (the backend's clean-up rides on its calls).
     * @param keys the keys locked and released
     * @param nanos how long that took
     * @param failures acquires that did not succeed
     * @param baselineRows rows in the lock table before
     * @param rowsAfterRun rows right after the last release
     * @param drain rows in the table by seconds after the run, as {seconds, rows} pairs
     * @param millisUntilRowsBack how long until the table was back to the baseline (-1: not within the watch)
     */
    public record JdbcScaleResult(long keys, long nanos, long failures, long baselineRows, long rowsAfterRun,
            List<long[]> drain, long millisUntilRowsBack) {
    }

}
