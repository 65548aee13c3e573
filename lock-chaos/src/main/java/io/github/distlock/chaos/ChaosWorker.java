package io.github.distlock.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.core.DistributedLockException;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;

/**
 * A worker JVM of the chaos harness: one or more engines, each over a backend with connections of its own, and
 * threads that loop on them: take a key (a few hot keys, many cold ones), read the fenced resource in the test JVM,
 * work, write what they read plus one with their fencing token, release. Every step is reported to the {@link Hub}
 * with the worker's monotonic time, and the engine's loss signals too.
 *
 * <p>Arguments: the hub's port, the worker's name, the number of engines, then the backend (see
 * {@link WorkerBackend}). Commands come on standard input, one per line, and are answered on standard output with a
 * line starting {@value #ANSWER} (anything else there is logging):
 * <ul>
 * <li>{@code start name=value...}: starts the threads (options: {@code run}, {@code threads}, {@code lease},
 * {@code wait}, {@code work}, {@code longEvery}, {@code longWork}, {@code think} (the pause after a release; milliseconds), {@code hot}, {@code cold},
 * {@code hotPercent}, {@code lock} ({@code engine} or {@code none}), {@code cancelEvery} (every n-th acquire is
 * asynchronous and cancelled at once), {@code interruptEvery} (milliseconds between interrupts of a random
 * thread), {@code retryRelease} (milliseconds after which each release is sent again))</li>
 * <li>{@code stop}: stops the threads after their current step and answers with the counts</li>
 * <li>{@code stall-renewals on|off}</li>
 * <li>{@code probe key,key...}: tries each key once on a fresh engine over a backend of its own (the in-memory
 * one is shared) and answers with the keys it found held</li>
 * <li>{@code exit}: closes the engines (releasing what they hold) and ends the JVM</li>
 * </ul>
 * The JVM also ends when its standard input closes, so a worker never outlives its test.
 */
public final class ChaosWorker {

    /** The prefix of the worker's answers on standard output. */
    public static final String ANSWER = "chaos:";

    private final int hubPort;

    private final String name;

    private final List<LockEngine> engines = new ArrayList<>();

    private final List<FaultInjectingBackend> faults = new ArrayList<>();

    private final WorkerBackend backends;

    private final List<String> backendSpec;

    private final HubLink events;

    private ChaosWorker(int hubPort, String name, int engineCount, List<String> backendSpec) {
        this.hubPort = hubPort;
        this.name = name;
        this.backendSpec = List.copyOf(backendSpec);
        this.backends = new WorkerBackend(backendSpec);
        for (int i = 0; i < engineCount; i++) {
            FaultInjectingBackend.Wrapped wrapped = FaultInjectingBackend.wrap(this.backends.create());
            this.engines.add(new LockEngine(wrapped.backend()));
            this.faults.add(wrapped.faults());
        }
        this.events = new HubLink(hubPort, name);
    }

    /**
     * Runs a worker.
     * @param args the hub's port, the worker's name, the number of engines, the backend
     * @throws IOException if standard input fails
     */
    public static void main(String[] args) throws IOException {
        ChaosWorker worker = new ChaosWorker(Integer.parseInt(args[0]), args[1], Integer.parseInt(args[2]),
                List.of(args).subList(3, args.length));
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        out.println(ANSWER + "ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Run run = null;
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split(" ");
            switch (words[0]) {
                case "start" -> {
                    run = worker.new Run(options(words));
                    run.start();
                    out.println(ANSWER + "started");
                }
                case "stop" -> {
                    String counts = (run != null) ? run.stop() : "grants=0";
                    run = null;
                    out.println(ANSWER + "stopped " + counts);
                }
                case "stall-renewals" -> {
                    worker.faults.forEach(fault -> fault.stallRenewals("on".equals(words[1])));
                    out.println(ANSWER + "ok");
                }
                case "probe" -> out.println(ANSWER + "held=" + worker.heldOf(words[1].split(",")));
                case "exit" -> {
                    worker.close(run);
                    out.println(ANSWER + "bye");
                    System.exit(0);
                }
                default -> out.println(ANSWER + "unknown " + words[0]);
            }
        }
        worker.close(run);
        System.exit(0);
    }

    // On a backend of its own, closed afterwards, so that probing leaves no connection behind (the in-memory
    // backend is the one every engine of the JVM shares).
    private String heldOf(String[] keys) {
        List<String> held = new ArrayList<>();
        WorkerBackend own = this.backends.isShared() ? null : new WorkerBackend(this.backendSpec);
        try (LockEngine engine = new LockEngine((own != null) ? own.create() : this.backends.create())) {
            for (String key : keys) {
                engine.tryAcquire(LockRequest.of(key, Duration.ofSeconds(2))).ifPresentOrElse(Lease::release,
                        () -> held.add(key));
            }
        }
        finally {
            if (own != null) {
                own.close();
            }
        }
        return String.join(",", held);
    }

    private static Map<String, String> options(String[] words) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < words.length; i++) {
            int equals = words[i].indexOf('=');
            options.put(words[i].substring(0, equals), words[i].substring(equals + 1));
        }
        return options;
    }

    private void close(Run run) {
        if (run != null) {
            run.stop();
        }
        this.engines.forEach(LockEngine::close);
        this.backends.close();
    }

    /** One run of the worker's threads. */
    private final class Run {

        private final String run;

        private final int threadsPerEngine;

        private final Duration lease;

        private final Duration wait;

        private final long workMillis;

        private final long thinkMillis;

        private final int longEvery;

        private final long longWorkMillis;

        private final int hot;

        private final int cold;

        private final int hotPercent;

        private final boolean locked;

        private final int cancelEvery;

        private final long interruptEvery;

        private final List<Thread> threads = new ArrayList<>();

        // The threads now inside an acquire, which stop() interrupts so that a run ends without waiting out waits.
        private final java.util.Set<Thread> acquiring = java.util.concurrent.ConcurrentHashMap.newKeySet();

        private final AtomicLong grants = new AtomicLong();

        private final AtomicLong notAcquired = new AtomicLong();

        private volatile boolean stopping;

        Run(Map<String, String> options) {
            this.run = options.getOrDefault("run", "r");
            this.threadsPerEngine = Integer.parseInt(options.getOrDefault("threads", "2"));
            this.lease = Duration.ofMillis(Long.parseLong(options.getOrDefault("lease", "2000")));
            this.wait = Duration.ofMillis(Long.parseLong(options.getOrDefault("wait", "6000")));
            this.workMillis = Long.parseLong(options.getOrDefault("work", "10"));
            this.thinkMillis = Long.parseLong(options.getOrDefault("think", "0"));
            this.longEvery = Integer.parseInt(options.getOrDefault("longEvery", "0"));
            this.longWorkMillis = Long.parseLong(options.getOrDefault("longWork", "0"));
            this.hot = Integer.parseInt(options.getOrDefault("hot", "1"));
            this.cold = Integer.parseInt(options.getOrDefault("cold", "0"));
            this.hotPercent = Integer.parseInt(options.getOrDefault("hotPercent", "100"));
            this.locked = !"none".equals(options.getOrDefault("lock", "engine"));
            this.cancelEvery = Integer.parseInt(options.getOrDefault("cancelEvery", "0"));
            this.interruptEvery = Long.parseLong(options.getOrDefault("interruptEvery", "0"));
            long retryRelease = Long.parseLong(options.getOrDefault("retryRelease", "0"));
            ChaosWorker.this.faults.forEach(fault -> fault.retryReleasesAfter(retryRelease));
        }

        void start() {
            for (int e = 0; e < ChaosWorker.this.engines.size(); e++) {
                LockEngine engine = ChaosWorker.this.engines.get(e);
                for (int t = 0; t < this.threadsPerEngine; t++) {
                    String thread = ChaosWorker.this.name + "." + e + "." + t;
                    HubLink link = new HubLink(ChaosWorker.this.hubPort, ChaosWorker.this.name);
                    this.threads.add(new Thread(() -> loop(engine, thread, link), "chaos-" + thread));
                }
            }
            this.threads.forEach(Thread::start);
            if (this.interruptEvery > 0) {
                Thread storm = new Thread(this::interruptStorm, "chaos-interrupts");
                storm.setDaemon(true);
                storm.start();
            }
        }

        String stop() {
            this.stopping = true;
            this.acquiring.forEach(Thread::interrupt);
            long deadline = System.nanoTime() + this.wait.plus(this.lease).plusSeconds(10).toNanos();
            for (Thread thread : this.threads) {
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            long alive = this.threads.stream().filter(Thread::isAlive).count();
            return "grants=" + this.grants.get() + " notAcquired=" + this.notAcquired.get() + " stuckThreads="
                    + alive;
        }

        private void interruptStorm() {
            while (!this.stopping) {
                sleep(this.interruptEvery);
                this.threads.get(ThreadLocalRandom.current().nextInt(this.threads.size())).interrupt();
            }
        }

        private void loop(LockEngine engine, String thread, HubLink link) {
            long sequence = 0;
            try (link) {
                while (!this.stopping) {
                    sequence++;
                    String grant = thread + "." + sequence;
                    String key = pickKey();
                    Lease lease;
                    long started = System.nanoTime();
                    this.acquiring.add(Thread.currentThread());
                    try {
                        lease = this.locked ? acquire(engine, key, sequence) : null;
                    }
                    catch (InterruptedException ex) {
                        this.notAcquired.incrementAndGet();
                        link.event("NOT_ACQUIRED", grant, key, null, "interrupted");
                        continue;
                    }
                    catch (DistributedLockException | CancellationException ex) {
                        this.notAcquired.incrementAndGet();
                        link.event("NOT_ACQUIRED", grant, key, null, ex.getClass().getSimpleName());
                        sleepQuietly(20);
                        continue;
                    }
                    finally {
                        this.acquiring.remove(Thread.currentThread());
                    }
                    Long token = null;
                    if (lease != null) {
                        OptionalLong fencing = lease.fencingToken();
                        token = fencing.isPresent() ? fencing.getAsLong() : null;
                        this.grants.incrementAndGet();
                        link.event("GRANTED", grant, key, token, "waited-us="
                                + TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started));
                        Long lostToken = token;
                        lease.addLossListener((lost, reason) -> ChaosWorker.this.events.event("LOST", grant, key,
                                lostToken, reason.replaceAll("\\s+", "_")));
                    }
                    try {
                        criticalSection(link, grant, key, token, sequence);
                    }
                    finally {
                        // An interrupt that arrived during the work must not hit the release.
                        boolean interrupted = Thread.interrupted();
                        if (lease != null) {
                            release(lease, link, grant, key, token, interrupted);
                        }
                    }
                    if (this.thinkMillis > 0) {
                        sleepQuietly(this.thinkMillis);
                    }
                }
            }
        }

        // A release the backend could not take (a server down) is reported, and the thread goes on.
        private void release(Lease lease, HubLink link, String grant, String key, Long token, boolean interrupted) {
            String detail = interrupted ? "interrupted" : "";
            // Stamped when the release begins, so that a hand-off is measured from there to the next grant.
            long releasing = System.nanoTime();
            try {
                lease.release();
            }
            catch (DistributedLockException ex) {
                detail = "failed:" + ex.getClass().getSimpleName();
            }
            link.event("RELEASED", grant, key, token, detail, releasing);
        }

        private Lease acquire(LockEngine engine, String key, long sequence) throws InterruptedException {
            LockRequest request = LockRequest.of(key, this.lease).withWaitTime(this.wait);
            if (this.cancelEvery <= 0 || sequence % this.cancelEvery != 0) {
                return engine.acquire(request);
            }
            CompletableFuture<Lease> future = engine.acquireAsync(request);
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                if (future.cancel(true)) {
                    throw new CancellationException("cancelled");
                }
                return future.get(this.wait.plus(this.lease).toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (ExecutionException ex) {
                if (ex.getCause() instanceof DistributedLockException failure) {
                    throw failure;
                }
                throw new IllegalStateException(ex.getCause());
            }
            catch (InterruptedException | TimeoutException ex) {
                // Whatever the future brings now is nobody's: a lease it completes with is released at once.
                if (!future.cancel(true)) {
                    future.thenAccept(Lease::release);
                }
                if (ex instanceof InterruptedException interrupted) {
                    throw interrupted;
                }
                throw new CancellationException("timed out");
            }
        }

        private void criticalSection(HubLink link, String grant, String key, Long token, long sequence) {
            String read = link.request("READ", grant, key, token, "-");
            if (!read.startsWith("OK")) {
                return;
            }
            long value = Long.parseLong(read.substring(3));
            long work = (this.longEvery > 0 && sequence % this.longEvery == 0) ? this.longWorkMillis
                    : this.workMillis;
            try {
                Thread.sleep(work);
            }
            catch (InterruptedException ex) {
                // Interrupted in the middle of the work: the write is not made.
                Thread.currentThread().interrupt();
                return;
            }
            link.request("WRITE", grant, key, token, Long.toString(value));
        }

        private String pickKey() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (this.cold == 0 || random.nextInt(100) < this.hotPercent) {
                return this.run + ":hot" + random.nextInt(this.hot);
            }
            return this.run + ":cold" + random.nextInt(this.cold);
        }

    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        sleep(millis);
        Thread.interrupted();
    }

    /** A connection to the hub; every line gets a one-line answer. */
    private static final class HubLink implements AutoCloseable {

        private final String worker;

        private final Socket socket;

        private final BufferedReader in;

        private final PrintWriter out;

        HubLink(int port, String worker) {
            this.worker = worker;
            try {
                this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
                this.socket.setTcpNoDelay(true);
                this.in = new BufferedReader(new InputStreamReader(this.socket.getInputStream(),
                        StandardCharsets.UTF_8));
                this.out = new PrintWriter(this.socket.getOutputStream(), false, StandardCharsets.UTF_8);
            }
            catch (IOException ex) {
                throw new UncheckedIOException("Cannot reach the hub on port " + port, ex);
            }
        }

        void event(String kind, String grant, String key, Long token, String detail) {
            event(kind, grant, key, token, detail, System.nanoTime());
        }

        void event(String kind, String grant, String key, Long token, String detail, long nanos) {
            request("EV", grant, key, token, kind + (detail.isEmpty() ? "" : " " + detail), nanos);
        }

        String request(String verb, String grant, String key, Long token, String argument) {
            return request(verb, grant, key, token, argument, System.nanoTime());
        }

        synchronized String request(String verb, String grant, String key, Long token, String argument,
                long nanos) {
            this.out.print(verb + " " + this.worker + " " + grant + " " + key + " " + ((token != null) ? token : "-")
                    + " " + nanos + " " + argument + "\n");
            this.out.flush();
            try {
                String answer = this.in.readLine();
                if (answer == null) {
                    throw new UncheckedIOException(new IOException("The hub closed the connection"));
                }
                return answer;
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public void close() {
            try {
                this.socket.close();
            }
            catch (IOException ex) {
                // Closing is best effort.
            }
        }

    }

}
