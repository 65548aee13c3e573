package io.github.distlock.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lock.LockResponse;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.etcd.EtcdLeaseBackend;
import io.github.distlock.etcd.EtcdLockOptions;
import io.github.distlock.testservers.EtcdServer;
import io.github.distlock.testservers.ZooKeeperServer;
import io.github.distlock.zookeeper.ZooKeeperLeaseBackend;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;
import org.apache.curator.retry.RetryNTimes;

/**
 * This project's ZooKeeper and etcd backends beside the recipe each service's own client offers, in one run: Curator's
 * {@code InterProcessSemaphoreMutex} (not thread-bound, as our leases are not) and jetcd's {@code Lock} service (etcd's
 * server-side lock, on a lease granted per acquire). Two scenarios per contender: one thread locking and unlocking
 * one key (uncontended locks per second) and two clients with two threads each on one key (grants per second, no
 * work inside). Each client is a connection and session of its own, as an application instance would have.
 *
 * <p>The ZooKeeper server runs in this JVM (Curator's {@code TestingServer}, real ZooKeeper), so it shares the CPU
 * with the clients of both contenders alike; etcd is an {@code etcd} process on loopback ports. Rounds alternate the
 * contenders' order; the report gives the median of the rounds and the ratio to the service's own recipe, measured in
 * the same run. Usage: {@code java -cp benchmarks.jar io.github.distlock.benchmarks.CoordinationBenchmarks
 * [--seconds=5] [--rounds=3] [--out=FILE]}. Nothing else should run on the machine meanwhile.
 */
public final class CoordinationBenchmarks {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final String DISTLOCK_ZOOKEEPER = "distlock ZooKeeper backend";

    private static final String DISTLOCK_ETCD = "distlock etcd backend";

    private static final int CONTENDING_CLIENTS = 2;

    private static final int THREADS_PER_CLIENT = 2;

    private CoordinationBenchmarks() {
    }

    /**
     * Runs the comparison and prints (and optionally writes) the report.
     * @param args {@code --seconds=N} per scenario, {@code --rounds=N}, {@code --out=FILE}
     * @throws Exception if a server or client cannot start
     */
    public static void main(String[] args) throws Exception {
        long seconds = 5;
        int rounds = 3;
        Path out = null;
        for (String argument : args) {
            if (argument.startsWith("--seconds=")) {
                seconds = Long.parseLong(argument.substring("--seconds=".length()));
            }
            else if (argument.startsWith("--rounds=")) {
                rounds = Integer.parseInt(argument.substring("--rounds=".length()));
            }
            else if (argument.startsWith("--out=")) {
                out = Path.of(argument.substring("--out=".length()));
            }
            else {
                throw new IllegalArgumentException("Unknown option " + argument
                        + "; usage: [--seconds=N] [--rounds=N] [--out=FILE]");
            }
        }
        Duration measure = Duration.ofSeconds(seconds);
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        try (ZooKeeperServer zooKeeper = ZooKeeperServer.start(60_000); EtcdServer etcd = EtcdServer.start()) {
            List<Contender> contenders = List.of(Distlock.zooKeeper(zooKeeper.connectString()),
                    new CuratorMutex(zooKeeper.connectString()), Distlock.etcd(etcd.endpoint()),
                    new JetcdLock(etcd.endpoint()));
            try {
                for (Contender contender : contenders) {
                    // Warm-up: the JIT and the connections.
                    uncontended(contender, Duration.ofSeconds(2));
                    contended(contender, Duration.ofSeconds(2));
                }
                for (int round = 0; round < rounds; round++) {
                    List<Contender> order = new ArrayList<>(contenders);
                    if (round % 2 == 1) {
                        Collections.reverse(order);
                    }
                    for (Contender contender : order) {
                        double uncontended = uncontended(contender, measure);
                        double contended = contended(contender, measure);
                        results.computeIfAbsent(contender.name(), name -> new ArrayList<>())
                            .add(new double[] { uncontended, contended });
                        System.out.printf(Locale.ROOT, "round %d %-34s uncontended %,10.0f/s contended %,10.0f/s%n",
                                round + 1, contender.name(), uncontended, contended);
                    }
                }
            }
            finally {
                contenders.forEach(Contender::close);
            }
        }
        String report = report(results, rounds, seconds);
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report, StandardCharsets.UTF_8);
        }
        // Curator and jetcd leave non-daemon threads behind.
        System.exit(0);
    }

    private static String report(Map<String, List<double[]>> results, int rounds, long seconds) {
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "Medians of %d rounds of %d s per scenario; uncontended: one thread, "
                + "one key; contended: %d clients x %d threads on one key.%n%n", rounds, seconds, CONTENDING_CLIENTS,
                THREADS_PER_CLIENT));
        report.append("| contender | uncontended locks/s | ratio | contended grants/s | ratio |\n");
        report.append("|---|---|---|---|---|\n");
        String[][] pairs = { { DISTLOCK_ZOOKEEPER, CuratorMutex.NAME }, { DISTLOCK_ETCD, JetcdLock.NAME } };
        for (String[] pair : pairs) {
            double[] baseline = medians(results.get(pair[1]));
            for (String name : pair) {
                double[] medians = medians(results.get(name));
                report.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %,.0f | %.2f |%n", name, medians[0],
                        medians[0] / baseline[0], medians[1], medians[1] / baseline[1]));
            }
        }
        return report.toString();
    }

    private static double[] medians(List<double[]> rounds) {
        double[] medians = new double[2];
        for (int i = 0; i < 2; i++) {
            int column = i;
            double[] values = rounds.stream().mapToDouble(r -> r[column]).sorted().toArray();
            medians[i] = (values.length % 2 == 1) ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        }
        return medians;
    }

    private static double uncontended(Contender contender, Duration measure) throws Exception {
        Node node = contender.node(0);
        String key = "uncontended-" + System.nanoTime();
        long end = System.nanoTime() + measure.toNanos();
        long count = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            node.lock(key).run();
            count++;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static double contended(Contender contender, Duration measure) throws Exception {
        String key = "contended-" + System.nanoTime();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong grants = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(CONTENDING_CLIENTS * THREADS_PER_CLIENT);
        ExecutorService threads = Executors.newFixedThreadPool(CONTENDING_CLIENTS * THREADS_PER_CLIENT);
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int client = 0; client < CONTENDING_CLIENTS; client++) {
                Node node = contender.node(client);
                for (int thread = 0; thread < THREADS_PER_CLIENT; thread++) {
                    running.add(threads.submit(() -> {
                        ready.countDown();
                        ready.await();
                        while (!stop.get()) {
                            node.lock(key).run();
                            grants.incrementAndGet();
                        }
                        return null;
                    }));
                }
            }
            ready.await();
            long start = System.nanoTime();
            long before = grants.get();
            Thread.sleep(measure.toMillis());
            long counted = grants.get() - before;
            double elapsed = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Future<?> future : running) {
                future.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
            }
            return counted / elapsed;
        }
        finally {
            stop.set(true);
            threads.shutdownNow();
        }
    }

    /** One lock library on one service; its nodes are independent clients. */
    private interface Contender extends AutoCloseable {

        String name();

        /** The client with the given index, opened on first use and kept. */
        Node node(int index) throws Exception;

        @Override
        void close();

    }

    /** Locks a key, blocking until granted; the returned action releases it. Thread-safe. */
    @FunctionalInterface
    private interface Node {

        Runnable lock(String key) throws Exception;

    }

    private static CuratorFramework curator(String connectString) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(connectString)
            .sessionTimeoutMs(60_000).connectionTimeoutMs(15_000).retryPolicy(new RetryNTimes(3, 100)).build();
        client.start();
        if (!client.blockUntilConnected(15, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ZooKeeper at " + connectString + " did not answer");
        }
        return client;
    }

    private static Client etcdClient(String endpoint) {
        return Client.builder().endpoints(endpoint).build();
    }

    /** A base that keeps each node and closes it with the contender. */
    private abstract static class NodesContender implements Contender {

        private final Map<Integer, Node> nodes = new LinkedHashMap<>();

        private final List<AutoCloseable> resources = new ArrayList<>();

        @Override
        public synchronized Node node(int index) throws Exception {
            Node node = this.nodes.get(index);
            if (node == null) {
                node = open();
                this.nodes.put(index, node);
            }
            return node;
        }

        abstract Node open() throws Exception;

        final <T extends AutoCloseable> T keep(T resource) {
            this.resources.add(resource);
            return resource;
        }

        @Override
        public synchronized void close() {
            // The last opened first: an engine before the client under it.
            List<AutoCloseable> closing = new ArrayList<>(this.resources);
            Collections.reverse(closing);
            for (AutoCloseable resource : closing) {
                try {
                    resource.close();
                }
                catch (Exception ex) {
                    // Closing is best effort at the end of a run.
                }
            }
        }

    }

    /** This project's engine over a backend that each node opens with a client of its own. */
    private static final class Distlock extends NodesContender {

        private final String name;

        private final Function<NodesContender, LeaseBackend> openBackend;

        Distlock(String name, Function<NodesContender, LeaseBackend> openBackend) {
            this.name = name;
            this.openBackend = openBackend;
        }

        static Distlock zooKeeper(String connectString) {
            return new Distlock(DISTLOCK_ZOOKEEPER, nodes -> {
                try {
                    return ZooKeeperLeaseBackend.create(nodes.keep(curator(connectString)));
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            });
        }

        static Distlock etcd(String endpoint) {
            return new Distlock(DISTLOCK_ETCD, nodes -> nodes.keep(new EtcdLeaseBackend(
                    nodes.keep(etcdClient(endpoint)), EtcdLockOptions.defaults(), endpoint)));
        }

        @Override
        public String name() {
            return this.name;
        }

        @Override
        Node open() {
            LockEngine engine = keep(new LockEngine(this.openBackend.apply(this)));
            return key -> {
                Lease lease = engine.acquire(new LockRequest(key, LEASE, WAIT, true, false));
                return lease::release;
            };
        }

    }

    private static final class CuratorMutex extends NodesContender {

        static final String NAME = "Curator InterProcessSemaphoreMutex";

        private final String connectString;

        CuratorMutex(String connectString) {
            this.connectString = connectString;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        Node open() throws Exception {
            CuratorFramework client = keep(curator(this.connectString));
            // One mutex per thread and key: an InterProcessSemaphoreMutex is one holder's handle.
            ThreadLocal<Map<String, InterProcessSemaphoreMutex>> mutexes = ThreadLocal.withInitial(LinkedHashMap::new);
            return key -> {
                InterProcessSemaphoreMutex mutex = mutexes.get()
                    .computeIfAbsent(key, k -> new InterProcessSemaphoreMutex(client, "/curator-locks/" + k));
                if (!mutex.acquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("Curator did not grant '" + key + "' within " + WAIT);
                }
                return () -> {
                    try {
                        mutex.release();
                    }
                    catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                };
            };
        }

    }

    private static final class JetcdLock extends NodesContender {

        static final String NAME = "jetcd Lock (etcd's lock service)";

        private final String endpoint;

        JetcdLock(String endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        Node open() {
            Client client = keep(etcdClient(this.endpoint));
            return key -> {
                // The documented use: a lease per holder, so that a crashed holder's lock ends with it.
                long lease = client.getLeaseClient().grant(LEASE.toSeconds()).get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .getID();
                LockResponse locked = client.getLockClient()
                    .lock(ByteSequence.from("jetcd-locks/" + key, StandardCharsets.UTF_8), lease)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                return () -> {
                    try {
                        client.getLockClient().unlock(locked.getKey()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                        client.getLeaseClient().revoke(lease).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    }
                    catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                };
            };
        }

    }

}
