package io.github.distlock.sample.shop;

import java.time.Duration;

import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.WhenLocked;

/**
 * The nightly report, as every instance schedules it: each instance's scheduler fires it every period, and without
 * the {@link DistributedLock} every instance runs it. With the lock one instance runs each period: the others find
 * the key held and skip, and {@code minHold} keeps it held after a short run, so an instance whose scheduler fires a
 * little later in the same period (its clock is behind, or it started later) skips too. The period of the demo is
 * {@link #PERIOD}; {@code minHold} is a little shorter.
 *
 * <p>Thread-safe.
 */
public class ReportJob {

    /** How often every instance's scheduler fires the job in the demo. */
    public static final Duration PERIOD = Duration.ofMillis(250);

    private final JobLedger ledger;

    private final String instance;

    private final Duration workTime;

    /**
     * Creates the job of one instance.
     * @param ledger where runs are recorded
     * @param instance the instance's name
     * @param workTime how long one run works
     */
    public ReportJob(JobLedger ledger, String instance, Duration workTime) {
        this.ledger = ledger;
        this.instance = instance;
        this.workTime = workTime;
    }

    /**
     * Runs the report of one period, once across all instances when locked. In an application this is a
     * {@code @Scheduled(cron = ...)} method without parameters and the key a constant such as
     * {@code 'nightly-report'}; the demo passes its run id, so that runs do not share a key.
     * @param runId the scenario run
     * @param period the period the scheduler fired for
     */
    @DistributedLock(name = "nightly-report", key = "#runId", whenLocked = WhenLocked.SKIP, leaseTime = "10s",
            minHold = "200ms")
    public void run(String runId, int period) {
        this.ledger.record(runId, period, this.instance);
        try {
            Thread.sleep(this.workTime.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
