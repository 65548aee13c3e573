package io.github.distlock.sample.shop;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

/**
 * What happened to each settlement task of the demo's crashed-holder scenario: how many servers worked on it at once,
 * how many completed it, and when the work started and ended. In memory: the simulated servers share this JVM.
 *
 * <p>Thread-safe.
 */
@Component
public class TaskBoard {

    private final Map<String, Task> tasks = new ConcurrentHashMap<>();

    /**
     * Returns the record of a task, created on first use.
     * @param taskId the task
     * @return its record
     */
    public Task task(String taskId) {
        return this.tasks.computeIfAbsent(taskId, id -> new Task());
    }

    /**
     * Forgets a task.
     * @param taskId the task
     */
    public void forget(String taskId) {
        this.tasks.remove(taskId);
    }

    /**
     * One task's record. Times are {@link System#nanoTime()} values; zero means not yet.
     */
    public static final class Task {

        private final AtomicInteger working = new AtomicInteger();

        private final AtomicInteger overlaps = new AtomicInteger();

        private final AtomicInteger completions = new AtomicInteger();

        private final AtomicLong crashedAt = new AtomicLong();

        private final AtomicLong lastStartedAt = new AtomicLong();

        private final AtomicLong completedAt = new AtomicLong();

        void started() {
            this.lastStartedAt.set(System.nanoTime());
            if (this.working.incrementAndGet() > 1) {
                this.overlaps.incrementAndGet();
            }
        }

        void stopped() {
            this.working.decrementAndGet();
        }

        void crashed() {
            this.crashedAt.set(System.nanoTime());
        }

        void completed() {
            this.completions.incrementAndGet();
            this.completedAt.set(System.nanoTime());
        }

        /**
         * Returns how many times a server started work while another was working on the task.
         * @return the overlaps
         */
        public int overlaps() {
            return this.overlaps.get();
        }

        /**
         * Returns how many times the task was completed.
         * @return the completions
         */
        public int completions() {
            return this.completions.get();
        }

        /**
         * Returns how long after the crash the last start of work came, in milliseconds, or -1 when there was no
         * crash or no start after it.
         * @return the time from the crash to the takeover
         */
        public long takeoverMillis() {
            long crashed = this.crashedAt.get();
            long started = this.lastStartedAt.get();
            return (crashed == 0 || started - crashed < 0) ? -1 : (started - crashed) / 1_000_000;
        }

    }

}
