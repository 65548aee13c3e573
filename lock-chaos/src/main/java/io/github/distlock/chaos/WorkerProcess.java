package io.github.distlock.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.distlock.testservers.ChildJvm;

/**
 * The test's handle on one worker JVM ({@link ChaosWorker}): started on the test's class path, driven over its
 * standard input and output, signalled (SIGSTOP, SIGCONT, SIGKILL) and ended by its own PID.
 *
 * <p>Not thread-safe: one test thread drives a worker (the fault hooks of the {@link Hub} only signal it).
 */
public final class WorkerProcess implements AutoCloseable {

    /** How long a worker may take to start, on a loaded 2-core machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final List<String> JVM_OPTIONS = List.of("-Xmx192m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    private final String name;

    private final Process process;

    private final Writer stdin;

    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private volatile boolean paused;

    private WorkerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "chaos-worker-out-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a worker and waits until it is ready.
     * @param hub the hub it reports to
     * @param name its name ({@code w1}, ...)
     * @param engines how many engines it runs
     * @param backend its backend (see {@link WorkerBackend})
     * @param environment variables added to its environment (libfaketime's, for a worker with a moved clock)
     * @param directory where its log goes
     * @return the ready worker
     */
    public static WorkerProcess start(Hub hub, String name, int engines, List<String> backend,
            Map<String, String> environment, Path directory) {
        List<String> arguments = new ArrayList<>(List.of(Integer.toString(hub.port()), name,
                Integer.toString(engines)));
        arguments.addAll(backend);
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(JVM_OPTIONS, ChaosWorker.class, arguments));
        builder.environment().putAll(environment);
        builder.redirectError(directory.resolve("worker-" + name + ".log").toFile());
        try {
            WorkerProcess worker = new WorkerProcess(name, builder.start());
            worker.awaitAnswer("ready", START_TIMEOUT);
            return worker;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot start worker " + name, ex);
        }
    }

    /**
     * Returns the worker's name, as it appears in the history.
     * @return the name
     */
    public String name() {
        return this.name;
    }

    /**
     * Returns the worker's PID.
     * @return the PID
     */
    public long pid() {
        return this.process.pid();
    }

    /**
     * Whether the worker's JVM is running (paused counts as running).
     * @return whether it is alive
     */
    public boolean isAlive() {
        return this.process.isAlive();
    }

    /**
     * Whether the worker is paused by {@link #pause()}.
     * @return whether it is stopped by SIGSTOP
     */
    public boolean isPaused() {
        return this.paused;
    }

    /**
     * Sends a command and waits for its answer.
     * @param command the command line
     * @param timeout how long the answer may take
     * @return the answer, without its prefix
     */
    public String command(String command, Duration timeout) {
        try {
            this.stdin.write(command + "\n");
            this.stdin.flush();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Worker " + this.name + " does not take commands", ex);
        }
        return awaitAnswer(command.split(" ")[0], timeout);
    }

    /** Stops the JVM with SIGSTOP: its threads, timers and sockets all freeze, as in a long GC pause. */
    public void pause() {
        signal("STOP");
        this.paused = true;
    }

    /** Lets a paused JVM continue (SIGCONT). */
    public void resume() {
        signal("CONT");
        this.paused = false;
    }

    /** Kills the JVM with SIGKILL: a crash, with no release and no goodbye. */
    public void kill() {
        this.process.destroyForcibly();
        try {
            this.process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while signalling worker " + this.name, ex);
        }
    }

    /**
     * Ends the worker: lets it continue if paused, asks it to exit (it releases what it holds), and kills it by its
     * PID if it does not end in time.
     */
    @Override
    public void close() {
        if (this.process.isAlive()) {
            if (this.paused) {
                resume();
            }
            try {
                command("exit", Duration.ofSeconds(20));
            }
            catch (RuntimeException ex) {
                // It did not answer: the kill below ends it.
            }
            try {
                this.process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        kill();
    }

    private String awaitAnswer(String expected, Duration timeout) {
        try {
            String answer = this.answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer == null) {
                throw new IllegalStateException("Worker " + this.name + " gave no answer to '" + expected
                        + "' within " + timeout + (this.process.isAlive() ? "" : " (it exited)"));
            }
            return answer;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for worker " + this.name, ex);
        }
    }

    private void readAnswers() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(this.process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(ChaosWorker.ANSWER)) {
                    this.answers.add(line.substring(ChaosWorker.ANSWER.length()));
                }
            }
        }
        catch (IOException ex) {
            // The worker ended.
        }
    }

}
