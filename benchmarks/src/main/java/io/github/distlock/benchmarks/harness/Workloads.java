package io.github.distlock.benchmarks.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.benchmarks.contenders.LockContender;
import io.github.distlock.benchmarks.contenders.LockContender.Held;
import io.github.distlock.benchmarks.contenders.LockContender.Node;

import org.jspecify.annotations.Nullable;

/**
 * The scenarios, run inside a contender's own JVM. Every scenario runs a warm-up pass and then a measured pass with
 * fresh threads, so the Redis command counts taken around the measured pass belong to it alone. The client of the
 * uncontended scenarios is opened once and reused across rounds, so later rounds measure a warm client; the nodes
 * of the contended scenario live for one pass. Driven by one thread.
 */
final class Workloads {

    /** How long any acquire may wait before it counts as a time-out. */
    static final Duration WAIT = Duration.ofSeconds(10);

    private final LockContender contender;

    private final String keyPrefix;

    private final RedisCommandStats commandStats;

    private @Nullable Node client;

    Workloads(LockContender contender, String contenderId, RedisCommandStats commandStats) {
        this.contender = contender;
        this.keyPrefix = "bench:" + contenderId + ":";
        this.commandStats = commandStats;
    }

    /**
     * Opens the node of the uncontended scenarios, so that start-up costs are paid before any measurement.
     */
    void prepare() throws Exception {
        client();
    }

    // The other application instances of the instances scenario, each of which has waited once; kept open, and
    // grown, across that scenario's steps.
    private final List<Node> otherInstances = new ArrayList<>();

    /**
     * Uncontended lock+unlock while other application instances exist, each of which has waited once (so that it
     * holds whatever a waiter keeps: a subscription, a listener): what an instance's uncontended work costs Redis as
     * the application scales out. Opens the missing instances first, then measures ops/s and Redis CPU per op.
     */
    Fields instances(int others, int threads, long warmupMillis, long measureMillis) throws Exception {
        Node node = client();
        while (this.otherInstances.size() < others) {
            Node other = this.contender.openNode();
            this.otherInstances.add(other);
            waitOnce(node, other, this.keyPrefix + "instance-wait:" + this.otherInstances.size());
        }
        if (warmupMillis > 0) {
            uncontendedPass(node, threads, warmupMillis);
        }
        double cpuBefore = this.commandStats.cpuMicros();
        Fields result = uncontendedPass(node, threads, measureMillis);
        double cpu = this.commandStats.cpuMicros() - cpuBefore;
        return result.put("others", others).put("redisCpuMicros", Math.round(cpu));
    }

    private static void waitOnce(Node holderNode, Node waiting, String key) throws Exception {
        Held held = holderNode.acquire(key, WAIT);
        if (held == null) {
            throw new IllegalStateException("Could not take '" + key + "' to make another instance wait");
        }
        Thread waiter = new Thread(() -> {
            try {
                Held got = waiting.acquire(key, WAIT);
                if (got != null) {
                    got.release();
                }
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }, "instance-waiter");
        waiter.start();
        // Long enough for the waiter to have made its attempt and gone to sleep on whatever wakes it.
        Thread.sleep(100);
        held.release();
        waiter.join(WAIT.toMillis());
    }

    /**
     * Threads of one node, each locking and unlocking its own key as fast as it can.
     */
    Fields uncontended(int threads, long warmupMillis, long measureMillis, boolean countCommands) throws Exception {
        Node node = client();
        if (warmupMillis > 0) {
            uncontendedPass(node, threads, warmupMillis);
        }
        if (countCommands) {
            this.commandStats.reset();
        }
        Fields result = uncontendedPass(node, threads, measureMillis);
        if (countCommands) {
            result.putCommands(this.commandStats.read());
        }
        return result;
    }

    private Fields uncontendedPass(Node node, int threads, long millis) throws InterruptedException {
        AtomicLong failures = new AtomicLong();
        long[][] latencies = new long[threads][];
        String prefix = this.keyPrefix + "u" + threads + ":";
        long elapsed = runThreads(threads, millis, (index, deadline) -> {
            String key = prefix + index;
            LongList latency = new LongList();
            while (System.nanoTime() - deadline < 0) {
                long start = System.nanoTime();
                Held held = node.acquire(key, WAIT);
                if (held == null) {
                    failures.incrementAndGet();
                    continue;
                }
                held.release();
                latency.add(System.nanoTime() - start);
            }
            latencies[index] = latency.toArray();
        });
        long[] all = LongList.concat(latencies);
        return new Fields().put("ops", all.length)
            .put("nanos", elapsed)
            .put("failures", failures.get())
            .put("p50", percentile(all, 0.50))
            .put("p99", percentile(all, 0.99));
    }

    /**
     * Separate nodes, one thread each, all on one key, with a tiny critical section; checks that no two nodes were
     * ever inside at once. The nodes are opened before the warm-up and closed after the measurement, so that their
     * connections and subscriptions do not linger into the other scenarios (eight idle subscribers of a release
     * channel in the same JVM would wake on every release there).
     */
    Fields contended(int nodes, long warmupMillis, long measureMillis, long criticalSectionNanos,
            boolean countCommands) throws Exception {
        List<Node> opened = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                opened.add(this.contender.openNode());
            }
            String key = this.keyPrefix + "contended";
            if (warmupMillis > 0) {
                contendedPass(opened, key, warmupMillis, criticalSectionNanos);
            }
            if (countCommands) {
                this.commandStats.reset();
            }
            Fields result = contendedPass(opened, key, measureMillis, criticalSectionNanos);
            if (countCommands) {
                result.putCommands(this.commandStats.read());
            }
            return result;
        }
        finally {
            opened.forEach(Node::close);
        }
    }

    private Fields contendedPass(List<Node> nodes, String key, long millis, long criticalSectionNanos)
            throws InterruptedException {
        AtomicInteger inside = new AtomicInteger();
        AtomicLong overlaps = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        AtomicLong grantsInWindow = new AtomicLong();
        AtomicLong ownerChanges = new AtomicLong();
        AtomicLong handoffsInWindow = new AtomicLong();
        AtomicInteger lastOwner = new AtomicInteger(-1);
        long[][] waits = new long[nodes.size()][];
        long elapsed = runThreads(nodes.size(), millis, (index, deadline) -> {
            Node node = nodes.get(index);
            LongList wait = new LongList();
            while (System.nanoTime() - deadline < 0) {
                long start = System.nanoTime();
                Held held = node.acquire(key, WAIT);
                long granted = System.nanoTime();
                if (held == null) {
                    timeouts.incrementAndGet();
                    continue;
                }
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                boolean handoff = lastOwner.getAndSet(index) != index;
                if (handoff) {
                    ownerChanges.incrementAndGet();
                }
                long end = System.nanoTime() + criticalSectionNanos;
                while (System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
                inside.decrementAndGet();
                held.release();
                wait.add(granted - start);
                if (granted - deadline < 0) {
                    grantsInWindow.incrementAndGet();
                    if (handoff) {
                        handoffsInWindow.incrementAndGet();
                    }
                }
            }
            waits[index] = wait.toArray();
        });
        long[] all = LongList.concat(waits);
        long fewest = Long.MAX_VALUE;
        long most = 0;
        for (long[] node : waits) {
            fewest = Math.min(fewest, node.length);
            most = Math.max(most, node.length);
        }
        return new Fields().put("grants", all.length)
            .put("fewestPerNode", fewest)
            .put("mostPerNode", most)
            .put("grantsInWindow", grantsInWindow.get())
            .put("windowNanos", millis * 1_000_000)
            .put("nanos", elapsed)
            .put("ownerChanges", ownerChanges.get())
            .put("handoffsInWindow", handoffsInWindow.get())
            .put("overlaps", overlaps.get())
            .put("timeouts", timeouts.get())
            .put("waitP50", percentile(all, 0.50))
            .put("waitP99", percentile(all, 0.99))
            .put("waitMax", percentile(all, 1.0));
    }

    /**
     * The flash sale: many waiting threads spread over several nodes, all released at once on one key, each taking
     * the lock once. Reports the total time, the Redis commands executed per grant, the waits and the time-outs.
     */
    Fields flashSale(int nodes, int threads, long waitMillis) throws Exception {
        List<Node> opened = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                opened.add(this.contender.openNode());
            }
            String key = this.keyPrefix + "flash-sale";
            Duration wait = Duration.ofMillis(waitMillis);
            AtomicInteger inside = new AtomicInteger();
            AtomicLong overlaps = new AtomicLong();
            AtomicLong timeouts = new AtomicLong();
            long[] waits = new long[threads];
            this.commandStats.reset();
            long elapsed = runThreads(threads, 0, (index, deadline) -> {
                long start = System.nanoTime();
                Held held = opened.get(index % nodes).acquire(key, wait);
                waits[index] = System.nanoTime() - start;
                if (held == null) {
                    timeouts.incrementAndGet();
                    return;
                }
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                inside.decrementAndGet();
                held.release();
            });
            Fields result = new Fields().put("grants", threads - timeouts.get())
                .put("nanos", elapsed)
                .put("timeouts", timeouts.get())
                .put("overlaps", overlaps.get())
                .put("waitP50", percentile(waits, 0.50))
                .put("waitP99", percentile(waits, 0.99))
                .put("waitMax", percentile(waits, 1.0));
            return result.putCommands(this.commandStats.read());
        }
        finally {
            opened.forEach(Node::close);
        }
    }

    /**
     * Locks and releases many distinct keys once each, to show what state is left behind.
     */
    Fields scale(int keys, int threads) throws Exception {
        Node node = client();
        long heapBefore = usedHeapAfterGc();
        AtomicInteger next = new AtomicInteger();
        AtomicLong failures = new AtomicLong();
        String prefix = this.keyPrefix + "scale:";
        long start = System.nanoTime();
        runThreads(threads, 0, (index, deadline) -> {
            for (int i = next.getAndIncrement(); i < keys; i = next.getAndIncrement()) {
                Held held = node.acquire(prefix + i, WAIT);
                if (held == null) {
                    failures.incrementAndGet();
                }
                else {
                    held.release();
                }
            }
        });
        long elapsed = System.nanoTime() - start;
        return new Fields().put("keys", keys)
            .put("nanos", elapsed)
            .put("failures", failures.get())
            .put("heapBefore", heapBefore)
            .put("heapAfter", usedHeapAfterGc());
    }

    /**
     * Locks and releases one key now and then, as a quiet application does: the JDBC backend's clean-up rides on
     * such calls.
     */
    Fields trickle(long millis, long periodMillis) throws Exception {
        Node node = client();
        long deadline = System.nanoTime() + millis * 1_000_000;
        long operations = 0;
        while (System.nanoTime() - deadline < 0) {
            Held held = node.acquire(this.keyPrefix + "trickle", WAIT);
            if (held != null) {
                held.release();
                operations++;
            }
            Thread.sleep(periodMillis);
        }
        return new Fields().put("ops", operations);
    }

    /**
     * Closes the node of the uncontended scenarios, if it was opened, so that its connections end.
     */
    void closeClient() {
        if (this.client != null) {
            this.client.close();
            this.client = null;
        }
    }

    private Node client() throws Exception {
        if (this.client == null) {
            this.client = this.contender.openNode();
        }
        return this.client;
    }

    /**
     * Starts the threads together, lets each run until the deadline, and returns the time from the start until the
     * last one finished its final operation.
     */
    private static long runThreads(int threads, long millis, Worker worker) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Throwable> failures = new ArrayList<>();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int index = i;
            Thread thread = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    worker.run(index, deadline[0]);
                }
                catch (Throwable ex) {
                    synchronized (failures) {
                        failures.add(ex);
                    }
                }
            }, "bench-worker-" + i);
            thread.start();
            started.add(thread);
        }
        ready.await();
        long start = System.nanoTime();
        deadline[0] = start + millis * 1_000_000;
        go.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        long elapsed = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            IllegalStateException failure = new IllegalStateException(failures.size() + " worker(s) failed");
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
        return elapsed;
    }

    static long percentile(long[] values, double fraction) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
        return sorted[index];
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @FunctionalInterface
    private interface Worker {

        void run(int index, long deadlineNanos) throws Exception;

    }

    /** A growable array of longs, one per worker thread. */
    private static final class LongList {

        private long[] values = new long[1024];

        private int size;

        void add(long value) {
            if (this.size == this.values.length) {
                this.values = Arrays.copyOf(this.values, this.size * 2);
            }
            this.values[this.size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(this.values, this.size);
        }

        static long[] concat(long[][] arrays) {
            int total = 0;
            for (long[] array : arrays) {
                total += (array != null) ? array.length : 0;
            }
            long[] all = new long[total];
            int at = 0;
            for (long[] array : arrays) {
                if (array != null) {
                    System.arraycopy(array, 0, all, at, array.length);
                    at += array.length;
                }
            }
            return all;
        }

    }

}
