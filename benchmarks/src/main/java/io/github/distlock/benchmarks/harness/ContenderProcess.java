package io.github.distlock.benchmarks.harness;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.distlock.benchmarks.contenders.Contenders;
import io.github.distlock.testservers.ChildJvm;

import org.jspecify.annotations.Nullable;

/**
 * The harness's handle on one contender JVM ({@link ContenderMain}): sends it one command at a time and waits for
 * its answer. The JVM runs with the harness's own class path. Used by one thread.
 */
final class ContenderProcess implements AutoCloseable {

    private static final String END_OF_OUTPUT = "\u0000end";

    private final Contenders contender;

    private final Process process;

    private final Writer commands;

    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private final Path log;

    private ContenderProcess(Contenders contender, Process process, Path log) {
        this.contender = contender;
        this.process = process;
        this.log = log;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "bench-answers-" + contender.id());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the contender's JVM; call {@link #awaitReady} before sending commands.
     * @param contender the contender
     * @param redisPort the Redis port
     * @param jdbcUrls the PostgreSQL URLs of the measured database and of the census database, or {@code null} when
     *     the contender does not use PostgreSQL
     * @param jvmOptions options for the JVM, such as the heap size
     * @param log where the process's standard error goes
     * @return the process
     */
    static ContenderProcess start(Contenders contender, int redisPort, @Nullable List<String> jdbcUrls,
            List<String> jvmOptions, Path log) {
        List<String> arguments = new ArrayList<>(List.of(contender.id(), Integer.toString(redisPort)));
        if (jdbcUrls != null) {
            arguments.addAll(jdbcUrls);
        }
        try {
            Process process = new ProcessBuilder(ChildJvm.command(jvmOptions, ContenderMain.class, arguments))
                .redirectError(log.toFile())
                .start();
            return new ContenderProcess(contender, process, log);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot start the JVM of contender " + contender.id(), ex);
        }
    }

    Contenders contender() {
        return this.contender;
    }

    void awaitReady(Duration timeout) {
        String answer = nextAnswer(timeout, "start");
        if (!answer.equals("READY")) {
            throw failure("did not start: " + answer);
        }
    }

    /**
     * Runs one command and returns its result.
     * @param command the command line
     * @param timeout how long to wait for the answer
     * @return the result
     * @throws IllegalStateException if the contender answered with an error or not in time
     */
    Fields run(String command, Duration timeout) {
        try {
            this.commands.write(command + "\n");
            this.commands.flush();
        }
        catch (IOException ex) {
            throw failure("cannot take command '" + command + "': " + ex);
        }
        String answer = nextAnswer(timeout, command);
        if (answer.startsWith("RESULT ")) {
            return Fields.parse(answer.substring("RESULT ".length()));
        }
        throw failure("failed '" + command + "': " + answer);
    }

    private String nextAnswer(Duration timeout, String what) {
        String answer;
        try {
            answer = this.answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for '" + what + "'");
        }
        if (answer == null) {
            throw failure("did not answer '" + what + "' within " + timeout);
        }
        if (answer.equals(END_OF_OUTPUT)) {
            throw failure("exited while running '" + what + "'");
        }
        return answer;
    }

    private void readAnswers() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.equals("READY") || line.startsWith("RESULT ") || line.startsWith("ERROR ")) {
                    this.answers.add(line);
                }
            }
        }
        catch (IOException ex) {
            // The process ended; the end marker below tells the waiting caller.
        }
        this.answers.add(END_OF_OUTPUT);
    }

    private IllegalStateException failure(String message) {
        return new IllegalStateException("Contender " + this.contender.id() + " " + message + " (log: " + this.log
                + ")");
    }

    @Override
    public void close() {
        // Taken before the quit: the contender halts without closing its clients, so servers it started itself
        // (Redlock's extra masters) would outlive it, adopted by init, and no longer be found as its descendants.
        List<ProcessHandle> started = this.process.descendants().toList();
        try {
            this.commands.write("quit\n");
            this.commands.flush();
        }
        catch (IOException ex) {
            // Already gone.
        }
        try {
            if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
                this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            this.process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        started.forEach(ProcessHandle::destroyForcibly);
    }

}
