package io.github.distlock.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.distlock.benchmarks.JmhSuite.Score;
import io.github.distlock.benchmarks.contenders.Contenders;
import io.github.distlock.benchmarks.harness.ComparisonResult;
import io.github.distlock.benchmarks.harness.ComparisonResult.Census;
import io.github.distlock.benchmarks.harness.ComparisonResult.JdbcScaleResult;
import io.github.distlock.benchmarks.harness.ComparisonResult.ScaleResult;
import io.github.distlock.benchmarks.harness.ComparisonResult.TransactionCensus;
import io.github.distlock.benchmarks.harness.Fields;
import io.github.distlock.benchmarks.harness.Scenario;

import org.jspecify.annotations.Nullable;

/**
 * Writes a run's results as Markdown: ratios to the floor first, then the absolute figures, the Redis commands,
 * the scale check, the PostgreSQL group (ratios to its own floor and to the best other library, fairness,
 * transactions per operation), the JMH scores and the targets of issue 6 with their margins.
 */
final class Report {

    static final double TARGET_ONE_THREAD = 0.95;

    static final double TARGET_MANY_THREADS = 0.9;

    static final double TARGET_CONTENDED_FLOOR = 1.0;

    static final double TARGET_CONTENDED_REDISSON = 3.0;

    static final double TARGET_COMMANDS_PER_HANDOFF = 4.0;

    static final double TARGET_ANNOTATION_NANOS = 2000;

    static final double TARGET_MEMORY_GROWTH = 0.05;

    private final StringBuilder out = new StringBuilder();

    private final Map<String, String> environment;

    private final @Nullable ComparisonResult comparison;

    private final List<Score> jmh;

    private Report(Map<String, String> environment, @Nullable ComparisonResult comparison, List<Score> jmh) {
        this.environment = environment;
        this.comparison = comparison;
        this.jmh = jmh;
    }

    static String markdown(Map<String, String> environment, @Nullable ComparisonResult comparison, List<Score> jmh) {
        Report report = new Report(environment, comparison, jmh);
        report.write();
        return report.out.toString();
    }

    private void write() {
        line("# distlock benchmark run");
        line("");
        this.environment.forEach((name, value) -> line("- " + name + ": " + value));
        if (this.comparison != null) {
            this.comparison.environment().forEach((name, value) -> line("- " + name + ": " + value));
        }
        line("");
        targets();
        if (this.comparison != null) {
            ratios(this.comparison);
            rates(this.comparison);
            contended(this.comparison);
            commands(this.comparison);
            scale(this.comparison);
            flashSale(this.comparison);
            instances(this.comparison);
            jdbc(this.comparison);
            postgres(this.comparison);
            failures(this.comparison);
        }
        jmh();
    }

    private void targets() {
        List<String[]> rows = new ArrayList<>();
        ComparisonResult c = this.comparison;
        if (c != null && c.medianRate(Scenario.ONE_THREAD, Contenders.DISTLOCK) > 0) {
            rows.add(atLeast("1 thread uncontended, ratio to the floor", c.ratioToFloor(Scenario.ONE_THREAD,
                    Contenders.DISTLOCK), TARGET_ONE_THREAD));
            rows.add(atLeast("16 threads uncontended, ratio to the floor", c.ratioToFloor(Scenario.MANY_THREADS,
                    Contenders.DISTLOCK), TARGET_MANY_THREADS));
            rows.add(atLeast("8 nodes on one key, grants/s vs the floor", c.ratioToFloor(Scenario.CONTENDED,
                    Contenders.DISTLOCK), TARGET_CONTENDED_FLOOR));
            rows.add(atLeast("8 nodes on one key, hand-offs/s (holder changed) vs the floor",
                    c.medianHandoffRate(Contenders.DISTLOCK) / c.medianHandoffRate(Contenders.FLOOR),
                    TARGET_CONTENDED_FLOOR));
            if (!c.passes(Scenario.CONTENDED, Contenders.REDISSON).isEmpty()) {
                rows.add(atLeast("8 nodes on one key, grants/s vs Redisson",
                        c.medianRate(Scenario.CONTENDED, Contenders.DISTLOCK)
                                / c.medianRate(Scenario.CONTENDED, Contenders.REDISSON), TARGET_CONTENDED_REDISSON));
                rows.add(atLeast("8 nodes on one key, hand-offs/s vs Redisson",
                        c.medianHandoffRate(Contenders.DISTLOCK) / c.medianHandoffRate(Contenders.REDISSON),
                        TARGET_CONTENDED_REDISSON));
            }
            Census census = c.census(Scenario.CONTENDED, Contenders.DISTLOCK);
            if (census != null) {
                rows.add(atMost("Redis commands sent per grant (round trips)", census.clientCommandsPerOperation(),
                        TARGET_COMMANDS_PER_HANDOFF, ""));
            }
            rows.add(atMost("Redis commands executed per grant (scripts' commands included)",
                    c.medianCommandsPerOperation(Scenario.CONTENDED, Contenders.DISTLOCK), TARGET_COMMANDS_PER_HANDOFF,
                    ""));
            long overlaps = c.passes(Scenario.CONTENDED, Contenders.DISTLOCK).stream()
                .mapToLong(pass -> pass.getLong("overlaps")).sum();
            rows.add(new String[] { "overlaps (two nodes inside at once)", "0", Long.toString(overlaps),
                overlaps == 0 ? "met" : "**missed**" });
        }
        double annotation = annotationOverhead("AnnotationOverheadBenchmark");
        if (!Double.isNaN(annotation)) {
            rows.add(atMost("annotation overhead over a direct LockClient call, `#id` key (in-memory)", annotation,
                    TARGET_ANNOTATION_NANOS, " ns"));
        }
        double interceptor = annotationOverhead("InterceptorOverheadBenchmark");
        if (!Double.isNaN(interceptor)) {
            rows.add(atMost("the same over a lock client that does nothing (interceptor alone)", interceptor,
                    TARGET_ANNOTATION_NANOS, " ns"));
        }
        ScaleResult scale = (c != null) ? c.scale() : null;
        if (scale != null) {
            rows.add(atMost("Redis memory after " + String.format(Locale.ROOT, "%,d", scale.keys())
                    + " keys, growth over the baseline", scale.settledMemoryGrowth() * 100, TARGET_MEMORY_GROWTH * 100,
                    " %"));
            rows.add(new String[] { "Redis keys after the run, once token retention passed", "= baseline "
                    + scale.baselineKeys(), (scale.millisUntilKeysBack() >= 0) ? "back after "
                    + scale.millisUntilKeysBack() + " ms" : "not back", scale.millisUntilKeysBack() >= 0 ? "met"
                    : "**missed**" });
        }
        JdbcScaleResult jdbcScale = (c != null) ? c.jdbcScale() : null;
        if (jdbcScale != null) {
            long last = jdbcScale.drain().isEmpty() ? jdbcScale.rowsAfterRun()
                    : jdbcScale.drain().get(jdbcScale.drain().size() - 1)[1];
            long watched = jdbcScale.drain().isEmpty() ? 0 : jdbcScale.drain().get(jdbcScale.drain().size() - 1)[0];
            rows.add(new String[] { "PostgreSQL lock table after " + String.format(Locale.ROOT, "%,d", jdbcScale.keys())
                    + " keys, rows", "= baseline " + jdbcScale.baselineRows(),
                    (jdbcScale.millisUntilRowsBack() >= 0) ? "back after " + jdbcScale.millisUntilRowsBack() + " ms"
                            : String.format(Locale.ROOT, "%,d rows after %d s", last, watched),
                    (jdbcScale.millisUntilRowsBack() >= 0) ? "met" : "**missed**" });
        }
        if (rows.isEmpty()) {
            return;
        }
        line("## Targets (issue 6)");
        line("");
        line("| target | wanted | measured | result |");
        line("|---|---|---|---|");
        rows.forEach(row -> line("| " + String.join(" | ", row) + " |"));
        line("");
    }

    private double annotationOverhead(String benchmarkClass) {
        Score direct = score(benchmarkClass + ".lockClientCall");
        Score annotated = score(benchmarkClass + ".annotationParameterKey");
        return (direct != null && annotated != null) ? annotated.score() - direct.score() : Double.NaN;
    }

    private static String[] atLeast(String what, double measured, double wanted) {
        boolean met = measured >= wanted;
        return new String[] { what, "≥ " + fmt(wanted), fmt(measured), met ? "met"
            : String.format(Locale.ROOT, "**missed** by %.0f %%", (wanted - measured) / wanted * 100) };
    }

    private static String[] atMost(String what, double measured, double wanted, String unit) {
        boolean met = measured <= wanted;
        return new String[] { what, "≤ " + fmt(wanted) + unit, fmt(measured) + unit, met ? "met"
            : String.format(Locale.ROOT, "**missed** by %.0f %%", (measured - wanted) / wanted * 100) };
    }

    private void ratios(ComparisonResult c) {
        line("## Ratios to the floor (medians of " + c.settings().rounds() + " interleaved rounds; range of the "
                + "per-round ratios in brackets)");
        line("");
        line("| contender | 1 thread | 16 threads | 8 nodes: grants | 8 nodes: hand-offs | commands per lock+unlock "
                + "(sent / executed) | commands per grant, 8 nodes (sent / executed) |");
        line("|---|---|---|---|---|---|---|");
        for (Contenders contender : redisContenders(c)) {
            StringBuilder row = new StringBuilder("| " + contender.title());
            for (Scenario scenario : Scenario.values()) {
                double[] range = c.roundRatioRange(scenario, contender);
                row.append(" | ").append(fmt(c.ratioToFloor(scenario, contender)));
                if (c.passes(scenario, contender).size() > 1) {
                    row.append(" (").append(fmt(range[0])).append("–").append(fmt(range[1])).append(')');
                }
            }
            row.append(" | ").append(fmt(c.medianHandoffRate(contender) / c.medianHandoffRate(Contenders.FLOOR)));
            row.append(" | ").append(commandPair(c, Scenario.ONE_THREAD, contender));
            row.append(" | ").append(commandPair(c, Scenario.CONTENDED, contender)).append(" |");
            line(row.toString());
        }
        line("");
        line("*Sent* = commands the client sent (MONITOR census, scripts' inner commands excluded: round trips unless "
                + "pipelined); *executed* = every command Redis ran (INFO commandstats, `redis.call` inside scripts "
                + "included). Housekeeping (PING, HELLO, CLIENT, ...) is left out.");
        line("");
    }

    private static String commandPair(ComparisonResult c, Scenario scenario, Contenders contender) {
        Census census = c.census(scenario, contender);
        String sent = (census != null && census.operations() > 0) ? fmt(census.clientCommandsPerOperation()) : "–";
        return sent + " / " + fmt(c.medianCommandsPerOperation(scenario, contender));
    }

    private void rates(ComparisonResult c) {
        line("## Rates (medians)");
        line("");
        line("| contender | 1 thread: lock+unlock/s | p50 / p99 µs | 16 threads: lock+unlock/s | p50 / p99 µs "
                + "| 8 nodes: grants/s |");
        line("|---|---|---|---|---|---|");
        for (Contenders contender : redisContenders(c)) {
            line("| " + contender.title()
                    + " | " + rate(c.medianRate(Scenario.ONE_THREAD, contender))
                    + " | " + micros(c.medianField(Scenario.ONE_THREAD, contender, "p50")) + " / "
                    + micros(c.medianField(Scenario.ONE_THREAD, contender, "p99"))
                    + " | " + rate(c.medianRate(Scenario.MANY_THREADS, contender))
                    + " | " + micros(c.medianField(Scenario.MANY_THREADS, contender, "p50")) + " / "
                    + micros(c.medianField(Scenario.MANY_THREADS, contender, "p99"))
                    + " | " + rate(c.medianRate(Scenario.CONTENDED, contender)) + " |");
        }
        line("");
    }

    private void contended(ComparisonResult c) {
        line("## 8 nodes on one key (critical section " + c.settings().criticalSectionNanos() / 1000 + " µs)");
        line("");
        line("| contender | grants/s | hand-offs/s | node changed at a grant | fairness (fewest / most grants per node) "
                + "| wait p50 ms | wait p99 ms | wait max ms | time-outs | overlaps |");
        line("|---|---|---|---|---|---|---|---|---|---|");
        for (Contenders contender : redisContenders(c)) {
            List<Fields> passes = c.passes(Scenario.CONTENDED, contender);
            long grants = passes.stream().mapToLong(p -> p.getLong("grants")).sum();
            long changes = passes.stream().mapToLong(p -> p.getLong("ownerChanges")).sum();
            long timeouts = passes.stream().mapToLong(p -> p.getLong("timeouts")).sum();
            long overlaps = passes.stream().mapToLong(p -> p.getLong("overlaps")).sum();
            line("| " + contender.title()
                    + " | " + rate(c.medianRate(Scenario.CONTENDED, contender))
                    + " | " + rate(c.medianHandoffRate(contender))
                    + " | " + ((grants > 0) ? String.format(Locale.ROOT, "%.0f %%", changes * 100.0 / grants) : "–")
                    + " | " + fmt(c.medianFairness(contender))
                    + " | " + millis(c.medianField(Scenario.CONTENDED, contender, "waitP50"))
                    + " | " + millis(c.medianField(Scenario.CONTENDED, contender, "waitP99"))
                    + " | " + millis(c.medianField(Scenario.CONTENDED, contender, "waitMax"))
                    + " | " + timeouts + " | " + overlaps + " |");
        }
        line("");
    }

    private void commands(ComparisonResult c) {
        line("## Redis commands per operation, by command (MONITOR census)");
        line("");
        line("| contender | per lock+unlock, sent by the client | run inside scripts | per grant (8 nodes), sent "
                + "| run inside scripts |");
        line("|---|---|---|---|---|");
        for (Contenders contender : redisContenders(c)) {
            Census one = c.census(Scenario.ONE_THREAD, contender);
            Census contended = c.census(Scenario.CONTENDED, contender);
            line("| " + contender.title() + " | " + breakdown(one, true) + " | " + breakdown(one, false) + " | "
                    + breakdown(contended, true) + " | " + breakdown(contended, false) + " |");
        }
        line("");
    }

    private static String breakdown(@Nullable Census census, boolean sent) {
        if (census == null || census.operations() == 0) {
            return "–";
        }
        Map<String, Long> counts = sent ? census.sentByClients() : census.runByScripts();
        if (counts.isEmpty()) {
            return "none";
        }
        return counts.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .map(entry -> entry.getKey() + " " + fmt((double) entry.getValue() / census.operations()))
            .collect(Collectors.joining(", "));
    }

    private void flashSale(ComparisonResult c) {
        if (c.flashSales().isEmpty()) {
            return;
        }
        line("## Flash sale: " + c.settings().flashSaleThreads() + " threads over " + c.settings().nodes()
                + " nodes take one key once each, all at the same moment");
        line("");
        line("A FIFO queue serves them one after the other, so its p99 wait is about 0.99 of the total time.");
        line("");
        line("| contender | total s | grants/s | Redis commands executed per grant | wait p50 / p99 / max ms "
                + "| p99 / total time | time-outs | overlaps |");
        line("|---|---|---|---|---|---|---|---|");
        c.flashSales().forEach((contender, pass) -> {
            double seconds = pass.getLong("nanos") / 1e9;
            long grants = pass.getLong("grants");
            line("| " + contender.title()
                    + String.format(Locale.ROOT, " | %.2f | %,.0f | %s | %s / %s / %s | %s | %d | %d |", seconds,
                            grants / seconds, fmt(pass.commandTotal() / (double) Math.max(1, grants)),
                            millis(pass.getLong("waitP50")), millis(pass.getLong("waitP99")),
                            millis(pass.getLong("waitMax")), fmt(pass.getLong("waitP99") / 1e9 / seconds),
                            pass.getLong("timeouts"), pass.getLong("overlaps")));
        });
        line("");
    }

    private void instances(ComparisonResult c) {
        if (c.instances().isEmpty()) {
            return;
        }
        List<Integer> counts = c.settings().otherInstanceCounts();
        line("## Other instances: uncontended lock+unlock (4 threads) while other instances exist that have each "
                + "waited once");
        line("");
        StringBuilder header = new StringBuilder("| contender |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int others : counts) {
            header.append(" ").append(others).append(" others: ops/s, Redis CPU/op |");
            rule.append("---|");
        }
        header.append(" ops/s and CPU/op at ").append(counts.get(counts.size() - 1)).append(" vs 0 |");
        rule.append("---|");
        line(header.toString());
        line(rule.toString());
        c.instances().forEach((contender, passes) -> {
            StringBuilder row = new StringBuilder("| " + contender.title() + " |");
            for (Fields pass : passes) {
                row.append(String.format(Locale.ROOT, " %,.0f, %.1f us |", Scenario.ONE_THREAD.rate(pass),
                        cpuPerOp(pass)));
            }
            for (int missing = passes.size(); missing < counts.size(); missing++) {
                row.append(" failed |");
            }
            if (passes.size() == counts.size()) {
                Fields first = passes.get(0);
                Fields last = passes.get(passes.size() - 1);
                row.append(String.format(Locale.ROOT, " %.2f, %.2f |", Scenario.ONE_THREAD.rate(last)
                        / Scenario.ONE_THREAD.rate(first), cpuPerOp(last) / cpuPerOp(first)));
            }
            else {
                row.append(" - |");
            }
            line(row.toString());
        });
        line("");
    }

    private static double cpuPerOp(Fields pass) {
        return pass.getLong("redisCpuMicros") / (double) Math.max(1, pass.getLong("ops"));
    }

    private void scale(ComparisonResult c) {
        ScaleResult scale = c.scale();
        if (scale == null) {
            return;
        }
        line("## Scale: " + String.format(Locale.ROOT, "%,d", scale.keys()) + " distinct keys locked and released "
                + "once each (this project, " + c.settings().scaleThreads() + " threads)");
        line("");
        line("| measure | value |");
        line("|---|---|");
        line("| time | " + String.format(Locale.ROOT, "%.1f s (%,.0f lock+unlock/s), %d failures", scale.nanos() / 1e9,
                scale.keys() * 1e9 / scale.nanos(), scale.failures()) + " |");
        line("| Redis keys: baseline / right after / back to baseline after | " + scale.baselineKeys() + " / "
                + String.format(Locale.ROOT, "%,d", scale.keysAfterRun()) + " / "
                + ((scale.millisUntilKeysBack() >= 0) ? scale.millisUntilKeysBack() + " ms" : "never") + " |");
        line("| Redis used_memory: baseline / right after / keys back / settled | " + bytes(scale.baselineMemory())
                + " / " + bytes(scale.memoryAfterRun()) + " / " + bytes(scale.memoryWhenKeysBack()) + " / "
                + bytes(scale.settledMemory()) + String.format(Locale.ROOT, " (%+.1f %%)",
                        scale.settledMemoryGrowth() * 100) + " |");
        line("| client JVM heap after GC: before / after | " + bytes(scale.heapBefore()) + " / "
                + bytes(scale.heapAfter()) + " |");
        line("");
    }

    private static List<Contenders> redisContenders(ComparisonResult c) {
        return c.settings().contenders().stream().filter(contender -> !contender.usesPostgres()).toList();
    }

    private void jdbc(ComparisonResult c) {
        Contenders jdbc = Contenders.DISTLOCK_JDBC;
        if (c.passes(Scenario.ONE_THREAD, jdbc).isEmpty()) {
            return;
        }
        line("## The JDBC backend on PostgreSQL (same scenarios, medians; `NOTIFY` wakes waiters)");
        line("");
        line("| measure | JDBC on PostgreSQL | Redis backend, same run |");
        line("|---|---|---|");
        line("| 1 thread: lock+unlock/s (p50 / p99 µs) | " + rateWithLatency(c, Scenario.ONE_THREAD, jdbc) + " | "
                + rateWithLatency(c, Scenario.ONE_THREAD, Contenders.DISTLOCK) + " |");
        line("| 16 threads: lock+unlock/s (p50 / p99 µs) | " + rateWithLatency(c, Scenario.MANY_THREADS, jdbc) + " | "
                + rateWithLatency(c, Scenario.MANY_THREADS, Contenders.DISTLOCK) + " |");
        line("| 8 nodes, one key: grants/s, hand-offs/s | " + rate(c.medianRate(Scenario.CONTENDED, jdbc)) + ", "
                + rate(c.medianHandoffRate(jdbc)) + " | " + rate(c.medianRate(Scenario.CONTENDED, Contenders.DISTLOCK))
                + ", " + rate(c.medianHandoffRate(Contenders.DISTLOCK)) + " |");
        line("| 8 nodes: wait p50 / p99 ms | " + millis(c.medianField(Scenario.CONTENDED, jdbc, "waitP50")) + " / "
                + millis(c.medianField(Scenario.CONTENDED, jdbc, "waitP99")) + " | "
                + millis(c.medianField(Scenario.CONTENDED, Contenders.DISTLOCK, "waitP50")) + " / "
                + millis(c.medianField(Scenario.CONTENDED, Contenders.DISTLOCK, "waitP99")) + " |");
        line("| 8 nodes: overlaps, time-outs (all rounds) | " + sum(c, jdbc, "overlaps") + ", "
                + sum(c, jdbc, "timeouts") + " | " + sum(c, Contenders.DISTLOCK, "overlaps") + ", "
                + sum(c, Contenders.DISTLOCK, "timeouts") + " |");
        line("");
        JdbcScaleResult scale = c.jdbcScale();
        if (scale != null) {
            line(String.format(Locale.ROOT, "Scale: %,d distinct keys locked and released once each in %.1f s "
                    + "(%,.0f/s, %d failures). Lock table rows: %,d before, %,d right after; then, while one key is "
                    + "locked ten times a second: %s. %s", scale.keys(), scale.nanos() / 1e9,
                    scale.keys() * 1e9 / scale.nanos(), scale.failures(), scale.baselineRows(), scale.rowsAfterRun(),
                    scale.drain().stream().map(step -> String.format(Locale.ROOT, "%,d after %d s", step[1], step[0]))
                        .collect(Collectors.joining(", ")),
                    (scale.millisUntilRowsBack() >= 0) ? "Back to the baseline after " + scale.millisUntilRowsBack()
                            + " ms." : "Not back to the baseline within the watch."));
            line("");
        }
    }

    private void postgres(ComparisonResult c) {
        List<Contenders> contenders = c.settings().contenders().stream().filter(Contenders::usesPostgres)
            .filter(contender -> !c.passes(Scenario.ONE_THREAD, contender).isEmpty()).toList();
        if (contenders.isEmpty()) {
            return;
        }
        line("## PostgreSQL: this project's JDBC backend beside ShedLock and Spring Integration (medians of "
                + c.settings().rounds() + " interleaved rounds)");
        line("");
        line("Each cell: ratio to the PostgreSQL floor (upsert + owner-checked `DELETE`, polled every 1 ms) / ratio "
                + "to the best other library in the same run. Transactions: commits and rollbacks in "
                + "`pg_stat_database` during one census pass on fresh nodes.");
        line("");
        line("| contender | 1 thread | 16 threads | 8 nodes: grants | 8 nodes: hand-offs | fairness (fewest / most "
                + "grants per node) | transactions per lock+unlock / per grant (8 nodes) |");
        line("|---|---|---|---|---|---|---|");
        for (Contenders contender : contenders) {
            StringBuilder row = new StringBuilder("| " + contender.title());
            for (Scenario scenario : Scenario.values()) {
                row.append(" | ").append(fmt(c.ratioToFloor(scenario, contender))).append(" / ")
                    .append(fmt(c.ratioToBestOther(scenario, contender)));
            }
            row.append(" | ").append(fmt(c.medianHandoffRate(contender) / c.medianHandoffRate(Contenders.PG_FLOOR)));
            row.append(" | ").append(fmt(c.medianFairness(contender)));
            row.append(" | ").append(transactionsPerOperation(c.transactionCensus(Scenario.ONE_THREAD, contender)))
                .append(" / ").append(transactionsPerOperation(c.transactionCensus(Scenario.CONTENDED, contender)))
                .append(" |");
            line(row.toString());
        }
        line("");
        line("| contender | 1 thread: lock+unlock/s (p50 / p99 µs) | 16 threads: lock+unlock/s (p50 / p99 µs) "
                + "| 8 nodes: grants/s, hand-offs/s | 8 nodes: wait p50 / p99 / max ms | time-outs | overlaps |");
        line("|---|---|---|---|---|---|---|");
        for (Contenders contender : contenders) {
            line("| " + contender.title() + " | " + rateWithLatency(c, Scenario.ONE_THREAD, contender) + " | "
                    + rateWithLatency(c, Scenario.MANY_THREADS, contender) + " | "
                    + rate(c.medianRate(Scenario.CONTENDED, contender)) + ", " + rate(c.medianHandoffRate(contender))
                    + " | " + millis(c.medianField(Scenario.CONTENDED, contender, "waitP50")) + " / "
                    + millis(c.medianField(Scenario.CONTENDED, contender, "waitP99")) + " / "
                    + millis(c.medianField(Scenario.CONTENDED, contender, "waitMax")) + " | "
                    + sum(c, contender, "timeouts") + " | " + sum(c, contender, "overlaps") + " |");
        }
        line("");
        Contenders jdbc = Contenders.DISTLOCK_JDBC;
        if (contenders.contains(jdbc) && contenders.size() > 2) {
            line("| issue 18 target (PostgreSQL) | wanted | measured | result |");
            line("|---|---|---|---|");
            for (Scenario scenario : Scenario.values()) {
                line("| " + String.join(" | ", atLeast(scenario.title() + ", distlock JDBC vs the best other library",
                        c.ratioToBestOther(scenario, jdbc), 1.0)) + " |");
            }
            line("| " + String.join(" | ", atLeast("fairness on one key, distlock JDBC", c.medianFairness(jdbc),
                    0.5)) + " |");
            line("");
        }
    }

    private static String transactionsPerOperation(@Nullable TransactionCensus census) {
        return (census == null || census.operations() == 0) ? "–" : fmt(census.perOperation());
    }

    private static String rateWithLatency(ComparisonResult c, Scenario scenario, Contenders contender) {
        return rate(c.medianRate(scenario, contender)) + " (" + micros(c.medianField(scenario, contender, "p50"))
                + " / " + micros(c.medianField(scenario, contender, "p99")) + ")";
    }

    private static long sum(ComparisonResult c, Contenders contender, String field) {
        return c.passes(Scenario.CONTENDED, contender).stream().mapToLong(pass -> pass.getLong(field)).sum();
    }

    private void failures(ComparisonResult c) {
        if (c.failures().isEmpty()) {
            return;
        }
        line("## Failures");
        line("");
        c.failures().forEach(failure -> line("- " + failure));
        line("");
    }

    private void jmh() {
        if (this.jmh.isEmpty()) {
            return;
        }
        line("## JMH, in-memory backend (average time per call)");
        line("");
        line("| benchmark | ns/op | ± (99.9 %) |");
        line("|---|---|---|");
        for (Score score : this.jmh) {
            line("| " + score.benchmark() + " | " + String.format(Locale.ROOT, "%,.0f", score.score()) + " | "
                    + (Double.isNaN(score.error()) ? "–" : String.format(Locale.ROOT, "%,.0f", score.error())) + " |");
        }
        line("");
        Score plain = score("AnnotationOverheadBenchmark.plainCall");
        Score direct = score("AnnotationOverheadBenchmark.lockClientCall");
        Score noKey = score("AnnotationOverheadBenchmark.annotationWithoutKey");
        Score parameter = score("AnnotationOverheadBenchmark.annotationParameterKey");
        Score property = score("AnnotationOverheadBenchmark.annotationPropertyKey");
        if (plain != null && direct != null && noKey != null && parameter != null && property != null) {
            line(String.format(Locale.ROOT, "Derived: the lock through `LockClient` costs %,.0f ns over the plain call; "
                    + "the annotation adds %,.0f ns over the direct call with a `#id` key (%,.0f ns without a key, "
                    + "%,.0f ns with `#order.id`); evaluating `#id` costs %,.0f ns and `#order.id` %,.0f ns.",
                    direct.score() - plain.score(), parameter.score() - direct.score(),
                    noKey.score() - direct.score(), property.score() - direct.score(),
                    parameter.score() - noKey.score(), property.score() - noKey.score()));
            line("");
        }
        Score bareDirect = score("InterceptorOverheadBenchmark.lockClientCall");
        Score bareNoKey = score("InterceptorOverheadBenchmark.annotationWithoutKey");
        Score bareParameter = score("InterceptorOverheadBenchmark.annotationParameterKey");
        Score bareProperty = score("InterceptorOverheadBenchmark.annotationPropertyKey");
        if (bareDirect != null && bareNoKey != null && bareParameter != null && bareProperty != null) {
            line(String.format(Locale.ROOT, "With a lock client that does nothing (the interceptor alone): the "
                    + "annotation adds %,.0f ns over the direct call without a key, %,.0f ns with `#id` and %,.0f ns "
                    + "with `#order.id`.", bareNoKey.score() - bareDirect.score(),
                    bareParameter.score() - bareDirect.score(), bareProperty.score() - bareDirect.score()));
            line("");
        }
    }

    private @Nullable Score score(String benchmark) {
        return this.jmh.stream().filter(s -> s.benchmark().equals(benchmark)).findFirst().orElse(null);
    }

    private static String fmt(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return String.format(Locale.ROOT, (Math.abs(value) >= 100) ? "%,.0f" : "%.2f", value);
    }

    private static String rate(double perSecond) {
        return Double.isNaN(perSecond) ? "–" : String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static String micros(double nanos) {
        return Double.isNaN(nanos) ? "–" : String.format(Locale.ROOT, "%,.0f", nanos / 1000);
    }

    private static String millis(double nanos) {
        return Double.isNaN(nanos) ? "–" : String.format(Locale.ROOT, "%,.1f", nanos / 1e6);
    }

    private static String bytes(long bytes) {
        return (bytes < 0) ? "–" : String.format(Locale.ROOT, "%,.2f MB", bytes / 1e6);
    }

    private void line(String text) {
        this.out.append(text).append('\n');
    }

}
