package io.github.distlock.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The worker JVMs of one test class, started together and driven together: a run starts on every worker and stops
 * on every worker, and a worker that a fault killed can be started again under its name.
 *
 * <p>Not thread-safe: one test thread drives them (the hub's fault hooks only signal single workers).
 */
public final class Workers implements AutoCloseable {

    /** How long a worker may take to answer a command other than stop. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private final Hub hub;

    private final int engines;

    // Each worker's backend and environment by its name: a worker started again gets the same.
    private final Function<String, List<String>> backend;

    private final Function<String, Map<String, String>> environment;

    private final Path directory;

    private final List<WorkerProcess> workers = new ArrayList<>();

    private Workers(Hub hub, int engines, Function<String, List<String>> backend,
            Function<String, Map<String, String>> environment, Path directory) {
        this.hub = hub;
        this.engines = engines;
        this.backend = backend;
        this.environment = environment;
        this.directory = directory;
    }

    /**
     * Starts the workers, in parallel.
     * @param hub the hub they report to
     * @param count how many worker JVMs ({@code w1}, {@code w2}, ...)
     * @param engines how many engines each runs
     * @param backend their backend (see {@link WorkerBackend})
     * @param environment variables for their environment
     * @param directory where their logs go
     * @return the ready workers
     */
    public static Workers start(Hub hub, int count, int engines, List<String> backend,
            Map<String, String> environment, Path directory) {
        List<String> sameBackend = List.copyOf(backend);
        Map<String, String> sameEnvironment = Map.copyOf(environment);
        return start(hub, count, engines, name -> sameBackend, name -> sameEnvironment, directory);
    }

    /**
     * Starts the workers, in parallel, each with a backend and an environment of its own: a backend through a
     * network path of the worker's own (a proxy that a test can cut), a clock of its own.
     * @param hub the hub they report to
     * @param count how many worker JVMs ({@code w1}, {@code w2}, ...)
     * @param engines how many engines each runs
     * @param backend each worker's backend (see {@link WorkerBackend}) by the worker's name; asked again when a
     *     killed worker is started again
     * @param environment variables for each worker's environment by the worker's name
     * @param directory where their logs go
     * @return the ready workers
     */
    public static Workers start(Hub hub, int count, int engines, Function<String, List<String>> backend,
            Function<String, Map<String, String>> environment, Path directory) {
        Workers workers = new Workers(hub, engines, backend, environment, directory);
        List<CompletableFuture<WorkerProcess>> starting = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = "w" + i;
            starting.add(CompletableFuture.supplyAsync(() -> workers.launch(name)));
        }
        try {
            for (CompletableFuture<WorkerProcess> worker : starting) {
                workers.workers.add(worker.get());
            }
        }
        catch (InterruptedException | ExecutionException ex) {
            starting.forEach(worker -> worker.thenAccept(WorkerProcess::close));
            workers.close();
            throw new IllegalStateException("The workers did not start", ex);
        }
        return workers;
    }

    private WorkerProcess launch(String name) {
        return WorkerProcess.start(this.hub, name, this.engines, List.copyOf(this.backend.apply(name)),
                Map.copyOf(this.environment.apply(name)), this.directory);
    }

    /**
     * Returns the workers.
     * @return every worker, in name order
     */
    public List<WorkerProcess> all() {
        return List.copyOf(this.workers);
    }

    /**
     * Returns a worker by name.
     * @param name its name
     * @return the worker
     */
    public WorkerProcess named(String name) {
        return this.workers.stream().filter(worker -> worker.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No worker " + name));
    }

    /**
     * Starts a run on every worker.
     * @param options the run's options (see {@link ChaosWorker})
     */
    public void startRun(String options) {
        for (WorkerProcess worker : this.workers) {
            String answer = worker.command("start " + options, ANSWER_TIMEOUT);
            if (!answer.startsWith("started")) {
                throw new IllegalStateException("Worker " + worker.name() + " did not start its run: " + answer);
            }
        }
    }

    /**
     * Stops the run on every worker (a paused one is let continue first; a killed one is started again), and
     * returns their counts.
     * @param stopTimeout how long a worker may take to finish its current step
     * @return each worker's answer
     */
    public List<String> stopRun(Duration stopTimeout) {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < this.workers.size(); i++) {
            WorkerProcess worker = this.workers.get(i);
            if (worker.isPaused()) {
                worker.resume();
            }
            if (!worker.isAlive()) {
                worker.close();
                this.workers.set(i, launch(worker.name()));
                answers.add(worker.name() + " restarted");
                continue;
            }
            answers.add(worker.name() + " " + worker.command("stop", stopTimeout));
        }
        return answers;
    }

    /**
     * Sends a command to every running worker.
     * @param command the command
     */
    public void tellAll(String command) {
        for (WorkerProcess worker : this.workers) {
            if (worker.isAlive() && !worker.isPaused()) {
                worker.command(command, ANSWER_TIMEOUT);
            }
        }
    }

    @Override
    public void close() {
        this.workers.forEach(WorkerProcess::close);
        this.workers.clear();
    }

}
