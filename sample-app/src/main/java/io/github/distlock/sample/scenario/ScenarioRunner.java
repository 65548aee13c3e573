package io.github.distlock.sample.scenario;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.sample.scenario.SimulatedServers.SimulatedServer;
import io.github.distlock.sample.shop.JobLedger;
import io.github.distlock.sample.shop.OrderRepository;
import io.github.distlock.sample.shop.PaymentLedger;
import io.github.distlock.sample.shop.StockRepository;
import io.github.distlock.sample.shop.TaskBoard;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Starts scenario runs, one at a time, and keeps the reports of the last few.
 *
 * <p>Thread-safe.
 */
@Component
public class ScenarioRunner implements DisposableBean {

    private static final int KEPT_RUNS = 20;

    private static final BigDecimal ORDER_AMOUNT = new BigDecimal("25.00");

    private final SimulatedServers simulatedServers;

    private final OrderRepository orders;

    private final PaymentLedger ledger;

    private final StockRepository stock;

    private final JobLedger jobs;

    private final TaskBoard tasks;

    private final ExecutorService executor;

    // Guarded by this; the oldest run is dropped beyond KEPT_RUNS.
    private final Map<String, ScenarioRun> runs = new LinkedHashMap<>();

    private @Nullable ScenarioRun current;

    ScenarioRunner(SimulatedServers simulatedServers, OrderRepository orders, PaymentLedger ledger,
            StockRepository stock, JobLedger jobs, TaskBoard tasks) {
        this.simulatedServers = simulatedServers;
        this.jobs = jobs;
        this.tasks = tasks;
        this.orders = orders;
        this.ledger = ledger;
        this.stock = stock;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "scenario-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Creates the run's orders or item and starts its simulated servers.
     * @param request what to run
     * @return the report as the run starts
     * @throws ScenarioBusyException if another run has not finished
     */
    public synchronized ScenarioReport start(ScenarioRequest request) {
        if (this.current != null && this.current.isRunning()) {
            throw new ScenarioBusyException(this.current.id());
        }
        String id = "run-" + UUID.randomUUID().toString().substring(0, 8);
        List<SimulatedServer> servers = this.simulatedServers.prepare(request.servers(), request.takesTheLock(),
                Duration.ofMillis(request.paymentTimeMillis()), request.kind() == ScenarioRequest.Kind.CRASHED_HOLDER);
        String backend = request.takesTheLock() ? this.simulatedServers.backendName() : "none";
        List<String> orderIds = new ArrayList<>();
        String itemId = id + "-item";
        if (request.kind() == ScenarioRequest.Kind.PAUSED_HOLDER) {
            orderIds.add(this.orders.create(id + "-1", ORDER_AMOUNT).id());
        }
        else if (request.kind() == ScenarioRequest.Kind.CHECKOUT) {
            for (int i = 1; i <= request.orders(); i++) {
                orderIds.add(this.orders.create(id + "-" + i, ORDER_AMOUNT).id());
            }
        }
        else if (request.kind() == ScenarioRequest.Kind.FLASH_SALE) {
            this.stock.create(itemId, "Last concert ticket", request.stock());
        }
        ScenarioRun run = new ScenarioRun(id, request, backend, servers, orderIds, itemId, this.stock);
        this.runs.put(id, run);
        if (this.runs.size() > KEPT_RUNS) {
            String dropped = this.runs.keySet().iterator().next();
            this.runs.remove(dropped);
            this.jobs.forget(dropped);
            this.tasks.forget(dropped + ScenarioRun.SETTLEMENT);
        }
        this.current = run;
        this.executor.submit(() -> run.execute(this.executor));
        return run.report(this.ledger, this.stock, this.jobs, this.tasks);
    }

    /**
     * Reports on a run.
     * @param id the run's id
     * @return the report, or empty if no such run is kept
     */
    public Optional<ScenarioReport> report(String id) {
        ScenarioRun run;
        synchronized (this) {
            run = this.runs.get(id);
        }
        return Optional.ofNullable(run).map(found -> found.report(this.ledger, this.stock, this.jobs, this.tasks));
    }

    /**
     * Reports on the kept runs, oldest first.
     * @return the reports
     */
    public List<ScenarioReport> recent() {
        List<ScenarioRun> kept;
        synchronized (this) {
            kept = new ArrayList<>(this.runs.values());
        }
        return kept.stream().map(run -> run.report(this.ledger, this.stock, this.jobs, this.tasks)).toList();
    }

    @Override
    public void destroy() {
        this.executor.shutdownNow();
    }

}
