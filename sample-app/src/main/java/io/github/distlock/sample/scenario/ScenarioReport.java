package io.github.distlock.sample.scenario;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Where a scenario run stands, as the page shows it: while it runs and after. Immutable.
 *
 * @param id the run's id
 * @param request what was asked for
 * @param backend the lock backend of the simulated servers, {@code none} for an unlocked run
 * @param status {@code RUNNING}, {@code FINISHED} or {@code FAILED}
 * @param elapsedMillis time since the servers started, until they finished
 * @param done calls finished (checkouts, or purchase attempts)
 * @param total calls in the run
 * @param chargesPerOrder the ledger's charges of each order of the run, in order (checkout, paused holder)
 * @param ordersCharged orders charged at least once (checkout)
 * @param doubleCharged orders charged more than once (checkout)
 * @param extraCharges charges beyond the first of each order (checkout)
 * @param sold items sold (flash sale)
 * @param stockLeft stock left, negative when oversold (flash sale)
 * @param oversold items sold beyond the stock (flash sale)
 * @param soldOut buyers told "sold out" (flash sale)
 * @param lockWaits acquires that found the lock held and waited
 * @param lockWaitMillis the total time they waited
 * @param longestLockWaitMillis the longest single wait
 * @param lockNotAcquired calls that gave up waiting for the lock
 * @param staleTokens charges the ledger refused for a stale fencing token
 * @param otherFailures calls that failed otherwise
 * @param lastFailure the message of the last failure, if any
 * @param servers what each simulated server did
 * @param runsPerPeriod how many times the job ran in each period (scheduled job)
 * @param periodsRunTwice periods in which the job ran more than once (scheduled job)
 * @param extraRuns runs beyond the first of each period (scheduled job)
 * @param leaseLost calls whose method ran but whose lease had ended before it returned (paused holder)
 * @param completions times the settlement was completed (crashed holder)
 * @param taskOverlaps times a server started the settlement while another was at work on it (crashed holder)
 * @param takeoverMillis time from the crash to the last start of the settlement, -1 for none yet (crashed holder)
 * @param buyersPerSecond buyers answered per second of the run (flash sale)
 * @param p50AnswerMillis the median time a buyer waited for its answer (flash sale)
 * @param p99AnswerMillis the 99th percentile of that time (flash sale)
 * @param lockServiceCalls calls the simulated servers' engines made to the lock service during the run (acquire
 *     attempts, renewals, releases), 0 for a run without the lock
 */
public record ScenarioReport(String id, ScenarioRequest request, String backend, String status, long elapsedMillis,
        int done, int total, List<Integer> chargesPerOrder, int ordersCharged, int doubleCharged, int extraCharges,
        int sold, int stockLeft, int oversold, int soldOut, long lockWaits, long lockWaitMillis,
        long longestLockWaitMillis, int lockNotAcquired, int staleTokens, int otherFailures,
        @Nullable String lastFailure, List<ServerReport> servers, List<Integer> runsPerPeriod, int periodsRunTwice,
        int extraRuns, int leaseLost, int completions, int taskOverlaps, long takeoverMillis, double buyersPerSecond,
        double p50AnswerMillis, double p99AnswerMillis, long lockServiceCalls) {

    /**
     * What one simulated server did.
     *
     * @param name the server
     * @param calls calls it finished
     * @param successes charges (checkout) or sales (flash sale) it made, or times its scheduler fired the job
     * @param lockWaits acquires of its that waited
     */
    public record ServerReport(String name, int calls, int successes, long lockWaits) {
    }

}
