package io.github.distlock.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends one line per scenario to the report of the run (a Markdown table in the file named by the system property
 * {@code chaos.report}, {@code target/chaos-report.md} by default), from which {@code docs/safety.md} takes its
 * table, and writes each run's whole history beside it (in {@code chaos-histories/}), for reading after the fact.
 *
 * <p>Thread-safe: lines are appended under a lock.
 */
public final class ChaosReport {

    private static final String HEADER = """
            | backend | scenario | runs | grants | overlaps seen / fenced | stale accepted | lost updates \
            | token order | recovery p50 / p99 | loss detected p50 / p99 | hand-off p50 / p99 | note |
            |---|---|---|---|---|---|---|---|---|---|---|---|
            """;

    private ChaosReport() {
    }

    /**
     * Appends a scenario's line.
     * @param backend the backend
     * @param scenario the scenario
     * @param runs its runs
     * @param recoveryNanos times to recover (another node granted after the fault), or none
     * @param detectionNanos times for a holder to learn its loss, or none
     * @param note what the line needs said
     */
    public static synchronized void append(String backend, String scenario, List<RunResult> runs,
            List<Long> recoveryNanos, List<Long> detectionNanos, String note) {
        int grants = 0;
        int overlaps = 0;
        int unfenced = 0;
        int stale = 0;
        int lost = 0;
        int order = 0;
        List<Long> handOffs = new java.util.ArrayList<>();
        for (RunResult run : runs) {
            Verdict verdict = run.verdict();
            grants += verdict.grants();
            overlaps += verdict.overlaps();
            unfenced += verdict.unfencedOverlaps();
            stale += verdict.staleAccepted();
            lost += verdict.lostUpdates();
            order += verdict.tokenOrderViolations();
            handOffs.addAll(verdict.handOffNanos());
        }
        String line = String.format("| %s | %s | %d | %d | %d / %d | %d | %d | %d | %s | %s | %s | %s |%n", backend,
                scenario, runs.size(), grants, overlaps, overlaps - unfenced, stale, lost, order, pair(recoveryNanos),
                pair(detectionNanos), pair(handOffs), note);
        Path report = Path.of(System.getProperty("chaos.report", "target/chaos-report.md"));
        try {
            Files.createDirectories(report.toAbsolutePath().getParent());
            if (!Files.exists(report)) {
                Files.writeString(report, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(report, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            Path histories = report.toAbsolutePath().getParent().resolve("chaos-histories");
            Files.createDirectories(histories);
            String name = (backend + " " + scenario).replaceAll("[^A-Za-z0-9]+", "-");
            for (int i = 0; i < runs.size(); i++) {
                List<String> lines = runs.get(i).history().stream().map(HistoryEvent::toString).toList();
                Files.write(histories.resolve(name + "-" + (i + 1) + ".log"), lines, StandardCharsets.UTF_8);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String pair(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "-";
        }
        return String.format("%.0f / %.0f ms", Verdict.percentileMillis(nanos, 50), Verdict.percentileMillis(nanos, 99));
    }

}
