package io.github.distlock.sample.shop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.stereotype.Component;

/**
 * Which server ran the scheduled report job in which period: the record the demo's scheduled-job scenario reads to
 * count the periods that ran twice. Kept in memory: the simulated servers of the demo share this JVM.
 *
 * <p>Thread-safe.
 */
@Component
public class JobLedger {

    // Run id -> period -> the servers that ran it, in the order they did.
    private final Map<String, Map<Integer, List<String>>> runs = new ConcurrentHashMap<>();

    /**
     * Records that a server ran the job of one period.
     * @param runId the scenario run
     * @param period the period, from 0
     * @param server the server that ran it
     */
    public void record(String runId, int period, String server) {
        this.runs.computeIfAbsent(runId, id -> new ConcurrentHashMap<>())
            .computeIfAbsent(period, p -> new CopyOnWriteArrayList<>())
            .add(server);
    }

    /**
     * Returns how many times the job ran in each period of a run.
     * @param runId the scenario run
     * @param periods how many periods the run has
     * @return the count of runs of each period, in order
     */
    public List<Integer> runsPerPeriod(String runId, int periods) {
        Map<Integer, List<String>> byPeriod = this.runs.getOrDefault(runId, Map.of());
        List<Integer> counts = new ArrayList<>(periods);
        for (int period = 0; period < periods; period++) {
            counts.add(byPeriod.getOrDefault(period, List.of()).size());
        }
        return counts;
    }

    /**
     * Forgets a run.
     * @param runId the scenario run
     */
    public void forget(String runId) {
        this.runs.remove(runId);
    }

}
