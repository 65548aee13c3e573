package io.github.distlock.sample.shop;

import java.time.Duration;

import io.github.distlock.spring.DistributedLock;

/**
 * The day's settlement: a task in a few steps that must be done once, by one server at a time. In the demo's
 * crashed-holder scenario one server crashes in the middle of it: its process is gone, so its lease is neither
 * renewed nor released, and it ends when its lease time runs out on the lock service. Only then does a waiting server
 * get the lock and do the task; a shorter lease would hand it over sooner, and a holder that is merely slow would
 * then lose it while still working, which is why leases are renewed while the holder lives.
 *
 * <p>Thread-safe.
 */
public class Settlement {

    /** The settlement's lease time: how long a crashed holder keeps the task. */
    public static final Duration LEASE_TIME = Duration.ofSeconds(2);

    /** How many steps a settlement takes. */
    public static final int STEPS = 5;

    private final TaskBoard board;

    private final Duration stepTime;

    private final int crashAfterSteps;

    private final Runnable crash;

    /**
     * Creates the settlement of one server.
     * @param board where the work is recorded
     * @param stepTime how long one step takes
     * @param crashAfterSteps after how many steps the server crashes, or a negative number for never
     * @param crash what the crash does to the server (its connections to the lock service go)
     */
    public Settlement(TaskBoard board, Duration stepTime, int crashAfterSteps, Runnable crash) {
        this.board = board;
        this.stepTime = stepTime;
        this.crashAfterSteps = crashAfterSteps;
        this.crash = crash;
    }

    /**
     * Settles, step by step.
     * @param taskId the task
     * @throws ServerCrashedException if this server crashes on the way (the demo's way of a process dying)
     */
    @DistributedLock(name = "settlement", key = "#taskId", leaseTime = "2s", waitTime = "10s")
    public void settle(String taskId) {
        TaskBoard.Task task = this.board.task(taskId);
        task.started();
        try {
            for (int step = 1; step <= STEPS; step++) {
                if (step - 1 == this.crashAfterSteps) {
                    task.crashed();
                    this.crash.run();
                    throw new ServerCrashedException(step);
                }
                Thread.sleep(this.stepTime.toMillis());
            }
            task.completed();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            task.stopped();
        }
    }

    /**
     * The demo's crash: the server stops in the middle of the task, and nothing of it runs any more.
     */
    public static final class ServerCrashedException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ServerCrashedException(int step) {
            super("the server crashed at step " + step + " of the settlement");
        }

    }

}
