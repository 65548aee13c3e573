package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A process started by a test (a server, or an application instance): output goes to a log file in its own
 * directory, and it is signalled and stopped by its own PID only. Every live process is also killed by a shutdown
 * hook, so a crashed test run leaves none behind.
 *
 * <p>Thread-safe.
 */
public final class LocalProcess {

    private static final Set<Process> live = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> live.forEach(Process::destroyForcibly),
                "distlock-test-servers-cleanup"));
    }

    private final Process process;

    private final Path log;

    private LocalProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a process.
     * @param command the command line
     * @param directory its working directory, where its log goes too
     * @param logName the log file's name
     * @return the running process
     */
    public static LocalProcess start(List<String> command, Path directory, String logName) {
        return start(command, directory, logName, Map.of());
    }

    /**
     * Starts a process with variables added to its environment (for example {@code LD_PRELOAD}).
     * @param command the command line
     * @param directory its working directory, where its log goes too
     * @param logName the log file's name
     * @param environment variables added to the inherited environment
     * @return the running process
     */
    public static LocalProcess start(List<String> command, Path directory, String logName,
            Map<String, String> environment) {
        Path log = directory.resolve(logName);
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            Process process = builder.directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
            live.add(process);
            return new LocalProcess(process, log);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot start " + command, ex);
        }
    }

    /**
     * Runs a set-up command (such as {@code initdb}) to completion.
     * @throws IllegalStateException with the end of its output if it fails or takes longer than the timeout
     */
    static void run(List<String> command, Path directory, String logName, java.time.Duration timeout) {
        LocalProcess process = start(command, directory, logName);
        if (!process.awaitExit(timeout)) {
            process.kill();
            throw new IllegalStateException(command.get(0) + " did not finish within " + timeout + ":\n"
                    + process.logTail());
        }
        live.remove(process.process);
        if (process.process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code "
                    + process.process.exitValue() + ":\n" + process.logTail());
        }
    }

    /**
     * Returns the process's PID.
     * @return the PID
     */
    public long pid() {
        return this.process.pid();
    }

    /**
     * Returns whether the process is running (a stopped process is alive).
     * @return whether it has not exited
     */
    public boolean isAlive() {
        return this.process.isAlive();
    }

    /**
     * Returns the log file the process writes to.
     * @return the log file
     */
    public Path log() {
        return this.log;
    }

    /**
     * Returns the last lines of the process's log, for failure messages.
     * @return the last 20 lines
     */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(this.log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
        catch (IOException ex) {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /** Sends SIGKILL and waits for the process to exit. */
    public void kill() {
        this.process.destroyForcibly();
        try {
            if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Process " + pid() + " did not exit after SIGKILL");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            live.remove(this.process);
        }
    }

    /**
     * Sends a signal by name (a database's shutdown signal) and waits for the process to exit; kills it when it has
     * not exited within the grace time.
     */
    void stop(String signal, java.time.Duration grace) {
        if (!this.process.isAlive()) {
            live.remove(this.process);
            return;
        }
        try {
            signal(signal);
            if (this.process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                live.remove(this.process);
                return;
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (RuntimeException ex) {
            // The process exited between the check and the signal, or cannot be signalled: kill it below.
        }
        kill();
    }

    /** Waits for the process to exit by itself, for at most the given time. */
    boolean awaitExit(java.time.Duration timeout) {
        try {
            return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A check of whether a server answers; an exception counts as not yet.
     */
    @FunctionalInterface
    interface Probe {

        boolean answers() throws Exception;

    }

    /**
     * Polls a server process until it answers, exits, or the deadline passes.
     * @param name the server and its port, for the failure message
     * @param timeout the start-up time the deadline was computed from, for the failure message
     * @param deadline the {@link System#nanoTime()} by which the server must answer
     * @param poll the pause between two checks
     * @param probe the check
     * @return {@code true} once the server answers, {@code false} if the process exited first
     * @throws IllegalStateException after killing the process, when it neither answered nor exited in time (the
     * probe's last exception is the cause) or the wait was interrupted
     */
    boolean awaitAnswer(String name, java.time.Duration timeout, long deadline, java.time.Duration poll, Probe probe) {
        Exception last = null;
        while (this.process.isAlive()) {
            try {
                if (probe.answers()) {
                    return true;
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException("Interrupted while waiting for " + name, ex);
            }
            catch (Exception ex) {
                last = ex;
            }
            if (System.nanoTime() - deadline > 0) {
                kill();
                throw new IllegalStateException(name + " did not answer within " + timeout + ":\n" + logTail(), last);
            }
            Pause.of(poll);
        }
        return false;
    }

    /**
     * Sends a signal by name ({@code STOP}, {@code CONT}) to this process only.
     * @param name the signal's name
     */
    public void signal(String name) {
        if (!exitsWithZero(List.of("kill", "-" + name, Long.toString(pid())))) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
    }

    /**
     * Runs a short command (a signal, a readiness probe) to its end, its output discarded.
     * @return whether it exited with 0 within ten seconds
     */
    static boolean exitsWithZero(List<String> command) {
        try {
            Process check = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            if (!check.waitFor(10, TimeUnit.SECONDS)) {
                check.destroyForcibly();
                return false;
            }
            return check.exitValue() == 0;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Deletes a directory and everything in it, as far as possible.
     * @param directory the directory
     */
    public static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException ex) {
            // Best effort: a temporary directory left behind is harmless.
        }
    }

}
