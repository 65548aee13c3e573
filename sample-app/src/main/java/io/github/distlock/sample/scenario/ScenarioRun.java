package io.github.distlock.sample.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.sample.scenario.SimulatedServers.SimulatedServer;
import io.github.distlock.sample.shop.CheckoutResult;
import io.github.distlock.sample.shop.Item;
import io.github.distlock.sample.shop.JobLedger;
import io.github.distlock.sample.shop.PausingCheckout;
import io.github.distlock.sample.shop.PaymentLedger;
import io.github.distlock.sample.shop.ReportJob;
import io.github.distlock.sample.shop.Settlement;
import io.github.distlock.sample.shop.SoldOutException;
import io.github.distlock.sample.shop.StaleFencingTokenException;
import io.github.distlock.sample.shop.StockRepository;
import io.github.distlock.sample.shop.TaskBoard;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a scenario: its simulated servers, the orders or the item it works on, and its counters.
 *
 * <p>Checkout: every server checks out every order, all in the same sequence and starting together, so they keep
 * meeting on the same order. Flash sale: each buyer, on the server {@code buyer % servers}, tries to buy once, all
 * at the same moment. Scheduled job: each server's scheduler fires the job at the start of every period, server
 * {@code i} {@code i * }{@value #SCHEDULER_SKEW_MILLIS}{@code  ms} after the first, as schedulers on instances whose
 * clocks or start times differ a little would. Paused and crashed holders: see
 * {@link ScenarioRequest.Kind#PAUSED_HOLDER} and {@link ScenarioRequest.Kind#CRASHED_HOLDER}.
 *
 * <p>Thread-safe: the workers update the counters, the page's requests read them.
 */
final class ScenarioRun {

    private static final Logger logger = LoggerFactory.getLogger(ScenarioRun.class);

    /** How much later each server's scheduler fires than the one before it, in the scheduled-job scenario. */
    static final long SCHEDULER_SKEW_MILLIS = 15;

    /** How long the paused holder stops: twice its lease. */
    static final Duration HOLDER_PAUSE = PausingCheckout.LEASE_TIME.multipliedBy(2);

    /** When the other servers check out the paused holder's order: after its lease ended, before it resumes. */
    static final Duration TAKEOVER_AFTER = PausingCheckout.LEASE_TIME.plusMillis(200);

    /** The suffix of the run's settlement task (crashed holder). */
    static final String SETTLEMENT = "-settlement";

    /** How many buyers of a flash sale ask at once. */
    static final int BUYER_THREADS = 64;

    private final String id;

    private final ScenarioRequest request;

    private final String backend;

    private final List<SimulatedServer> servers;

    private final List<String> orderIds;

    private final String itemId;

    private final StockRepository stock;

    // The routed design's one seller of the item; a thread only when a routed sale runs.
    private final ExecutorService router = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "scenario-item-seller");
        thread.setDaemon(true);
        return thread;
    });

    // How long each buyer of a flash sale waited for its answer; zero until it has one.
    private final AtomicLongArray answerNanos;

    private final List<AtomicInteger> callsPerServer = new ArrayList<>();

    private final List<AtomicInteger> successesPerServer = new ArrayList<>();

    private final AtomicInteger done = new AtomicInteger();

    private final AtomicInteger soldOut = new AtomicInteger();

    private final AtomicInteger lockNotAcquired = new AtomicInteger();

    private final AtomicInteger staleTokens = new AtomicInteger();

    private final AtomicInteger leaseLost = new AtomicInteger();

    private final AtomicInteger otherFailures = new AtomicInteger();

    // Written by the workers and the coordinator, read by reports.
    private volatile @Nullable String lastFailure;

    private volatile String status = "RUNNING";

    private volatile long startNanos;

    private volatile long endNanos;

    ScenarioRun(String id, ScenarioRequest request, String backend, List<SimulatedServer> servers,
            List<String> orderIds, String itemId, StockRepository stock) {
        this.stock = stock;
        this.answerNanos = new AtomicLongArray((request.kind() == ScenarioRequest.Kind.FLASH_SALE) ? request.buyers() : 0);
        this.id = id;
        this.request = request;
        this.backend = backend;
        this.servers = servers;
        this.orderIds = orderIds;
        this.itemId = itemId;
        for (int i = 0; i < servers.size(); i++) {
            this.callsPerServer.add(new AtomicInteger());
            this.successesPerServer.add(new AtomicInteger());
        }
    }

    String id() {
        return this.id;
    }

    boolean isRunning() {
        return "RUNNING".equals(this.status);
    }

    /**
     * Runs the scenario on the executor's threads and returns when every worker has finished.
     * @param executor where the workers run
     */
    void execute(ExecutorService executor) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        if (this.request.kind() == ScenarioRequest.Kind.CHECKOUT) {
            for (int s = 0; s < this.servers.size(); s++) {
                int server = s;
                workers.add(executor.submit(() -> checkOutEveryOrder(server, start)));
            }
        }
        else if (this.request.kind() == ScenarioRequest.Kind.FLASH_SALE) {
            // Up to BUYER_THREADS buyers at once; each thread takes the next buyer when it is done with one.
            AtomicInteger nextBuyer = new AtomicInteger();
            for (int t = 0; t < Math.min(BUYER_THREADS, this.request.buyers()); t++) {
                workers.add(executor.submit(() -> buyInTurn(nextBuyer, start)));
            }
        }
        else if (this.request.kind() == ScenarioRequest.Kind.SCHEDULED_JOB) {
            for (int s = 0; s < this.servers.size(); s++) {
                int server = s;
                workers.add(executor.submit(() -> fireEveryPeriod(server, start)));
            }
        }
        else if (this.request.kind() == ScenarioRequest.Kind.PAUSED_HOLDER) {
            for (int s = 0; s < this.servers.size(); s++) {
                int server = s;
                workers.add(executor.submit(() -> checkOutPausedOrTakingOver(server, start)));
            }
        }
        else {
            for (int s = 0; s < this.servers.size(); s++) {
                int server = s;
                workers.add(executor.submit(() -> settleOrCrash(server, start)));
            }
        }
        this.startNanos = System.nanoTime();
        start.countDown();
        String outcome = "FINISHED";
        try {
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        catch (Exception ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            logger.warn("Scenario run {} failed", this.id, ex);
            this.lastFailure = String.valueOf(ex.getMessage());
            outcome = "FAILED";
            workers.forEach(worker -> worker.cancel(true));
        }
        this.router.shutdownNow();
        // The end time first: a report that sees the final status also sees the final elapsed time.
        this.endNanos = System.nanoTime();
        this.status = outcome;
    }

    private Void checkOutEveryOrder(int server, CountDownLatch start) throws InterruptedException {
        start.await();
        SimulatedServer simulated = this.servers.get(server);
        for (String orderId : this.orderIds) {
            call(server, () -> simulated.checkout()
                .checkout(orderId, OptionalLong.empty())
                .outcome() == CheckoutResult.Outcome.CHARGED);
        }
        return null;
    }

    private Void buyInTurn(AtomicInteger nextBuyer, CountDownLatch start) throws Exception {
        start.await();
        for (int buyer = nextBuyer.getAndIncrement(); buyer < this.request.buyers();
                buyer = nextBuyer.getAndIncrement()) {
            buyOnce(buyer);
        }
        return null;
    }

    /**
     * One buyer, on the server {@code buyer % servers}: the page's "sold out" is a plain read, and only a buyer who
     * saw an item left asks to buy it, by the run's design.
     */
    private void buyOnce(int buyer) {
        int server = buyer % this.servers.size();
        String name = "buyer-" + (buyer + 1);
        long asked = System.nanoTime();
        call(server, () -> {
            if (this.stock.find(this.itemId).map(Item::stock).orElse(0) <= 0) {
                throw new SoldOutException(this.itemId);
            }
            switch (this.request.design()) {
                case CONDITIONAL_UPDATE -> this.servers.get(server).sale().buyWithConditionalUpdate(this.itemId, name);
                case ROUTED -> sellRouted(name);
                default -> this.servers.get(server).sale().buy(this.itemId, name);
            }
            return true;
        });
        this.answerNanos.set(buyer, System.nanoTime() - asked);
    }

    /** The routed design: the buy goes to the one seller of the item, the first server's, which sells in turn. */
    private void sellRouted(String buyer) {
        Future<?> sale = this.router.submit(() -> this.servers.get(0).sale().sellOne(this.itemId, buyer));
        try {
            sale.get();
        }
        catch (ExecutionException ex) {
            throw (ex.getCause() instanceof RuntimeException cause) ? cause : new IllegalStateException(ex.getCause());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the item's seller", ex);
        }
    }

    /** One server's scheduler: fires the job once per period, at its own offset into the period. */
    private Void fireEveryPeriod(int server, CountDownLatch start) throws InterruptedException {
        start.await();
        long origin = System.nanoTime();
        long skew = TimeUnit.MILLISECONDS.toNanos(server * SCHEDULER_SKEW_MILLIS);
        SimulatedServer simulated = this.servers.get(server);
        for (int period = 0; period < this.request.periods(); period++) {
            long fireAt = origin + period * ReportJob.PERIOD.toNanos() + skew;
            long delay = fireAt - System.nanoTime();
            if (delay > 0) {
                TimeUnit.NANOSECONDS.sleep(delay);
            }
            int firing = period;
            call(server, () -> {
                simulated.job().run(this.id, firing);
                return true;
            });
        }
        return null;
    }

    /**
     * The first server checks out the order and stops for {@link #HOLDER_PAUSE} after reading it; every other one
     * checks it out {@link #TAKEOVER_AFTER} later, without a pause of its own beyond the payment time.
     */
    private Void checkOutPausedOrTakingOver(int server, CountDownLatch start) throws InterruptedException {
        start.await();
        Duration pause = (server == 0) ? HOLDER_PAUSE : Duration.ofMillis(this.request.paymentTimeMillis());
        if (server > 0) {
            Thread.sleep(TAKEOVER_AFTER.toMillis());
        }
        String orderId = this.orderIds.get(0);
        call(server, () -> this.servers.get(server).paused()
            .checkout(orderId, pause, this.request.fencing(), OptionalLong.empty())
            .outcome() == CheckoutResult.Outcome.CHARGED);
        return null;
    }

    /**
     * The first server starts the settlement and crashes after two of its steps; every other one starts half a step
     * later, while the first is still at work.
     */
    private Void settleOrCrash(int server, CountDownLatch start) throws InterruptedException {
        start.await();
        if (server > 0) {
            Thread.sleep(Math.max(1, this.request.paymentTimeMillis() / 2));
        }
        call(server, () -> {
            this.servers.get(server).settlement().settle(this.id + SETTLEMENT);
            return true;
        });
        return null;
    }

    private void call(int server, Call call) {
        try {
            if (call.succeeded()) {
                this.successesPerServer.get(server).incrementAndGet();
            }
        }
        catch (SoldOutException ex) {
            this.soldOut.incrementAndGet();
        }
        catch (LockNotAcquiredException ex) {
            this.lockNotAcquired.incrementAndGet();
            this.lastFailure = ex.getMessage();
        }
        catch (StaleFencingTokenException ex) {
            this.staleTokens.incrementAndGet();
            this.lastFailure = ex.getMessage();
        }
        catch (Settlement.ServerCrashedException ex) {
            // The demo's crash: the server's work stops here, as a dead process's would.
            this.lastFailure = ex.getMessage();
        }
        catch (LeaseLostException ex) {
            // The method ran, and its work stands: the lock tells the caller afterwards that it was not held.
            this.leaseLost.incrementAndGet();
            this.lastFailure = ex.getMessage();
        }
        catch (RuntimeException ex) {
            this.otherFailures.incrementAndGet();
            this.lastFailure = ex.getClass().getSimpleName() + ": " + ex.getMessage();
            logger.debug("Call of scenario run {} failed", this.id, ex);
        }
        finally {
            this.callsPerServer.get(server).incrementAndGet();
            this.done.incrementAndGet();
        }
    }

    /**
     * Reports where the run stands, reading the ledger or the stock as they are now.
     * @param ledger the payment ledger
     * @param stock the flash-sale stock
     * @param jobs the scheduled job's runs
     * @param tasks the settlements (crashed holder)
     * @return the report
     */
    ScenarioReport report(PaymentLedger ledger, StockRepository stock, JobLedger jobs, TaskBoard tasks) {
        List<Integer> chargesPerOrder = new ArrayList<>();
        int ordersCharged = 0;
        int doubleCharged = 0;
        int extraCharges = 0;
        int sold = 0;
        int stockLeft = 0;
        if (!this.orderIds.isEmpty()) {
            Map<String, Integer> counts = ledger.chargeCounts(this.id + "-");
            for (String orderId : this.orderIds) {
                int charges = counts.getOrDefault(orderId, 0);
                chargesPerOrder.add(charges);
                ordersCharged += (charges > 0) ? 1 : 0;
                doubleCharged += (charges > 1) ? 1 : 0;
                extraCharges += Math.max(0, charges - 1);
            }
        }
        else if (this.request.kind() == ScenarioRequest.Kind.FLASH_SALE) {
            sold = stock.purchases(this.itemId);
            stockLeft = stock.find(this.itemId).map(Item::stock).orElse(0);
        }
        List<Integer> runsPerPeriod = List.of();
        int periodsRunTwice = 0;
        int extraRuns = 0;
        if (this.request.kind() == ScenarioRequest.Kind.SCHEDULED_JOB) {
            runsPerPeriod = jobs.runsPerPeriod(this.id, this.request.periods());
            for (int runs : runsPerPeriod) {
                periodsRunTwice += (runs > 1) ? 1 : 0;
                extraRuns += Math.max(0, runs - 1);
            }
        }
        long waits = 0;
        long lockCalls = 0;
        Duration waited = Duration.ZERO;
        Duration longest = Duration.ZERO;
        List<ScenarioReport.ServerReport> perServer = new ArrayList<>();
        for (int i = 0; i < this.servers.size(); i++) {
            WaitCountingLockClient client = this.servers.get(i).lockClient();
            long serverWaits = (client != null) ? client.waits() : 0;
            if (client != null) {
                waits += serverWaits;
                lockCalls += Math.max(0, client.lockServiceCalls());
                waited = waited.plus(client.totalWait());
                longest = (client.longestWait().compareTo(longest) > 0) ? client.longestWait() : longest;
            }
            perServer.add(new ScenarioReport.ServerReport(this.servers.get(i).name(), this.callsPerServer.get(i).get(),
                    this.successesPerServer.get(i).get(), serverWaits));
        }
        int total = switch (this.request.kind()) {
            case CHECKOUT -> this.servers.size() * this.orderIds.size();
            case FLASH_SALE -> this.request.buyers();
            case SCHEDULED_JOB -> this.servers.size() * this.request.periods();
            case PAUSED_HOLDER, CRASHED_HOLDER -> this.servers.size();
        };
        TaskBoard.Task settlement = (this.request.kind() == ScenarioRequest.Kind.CRASHED_HOLDER)
                ? tasks.task(this.id + SETTLEMENT) : null;
        return new ScenarioReport(this.id, this.request, this.backend, this.status, elapsedMillis(), this.done.get(),
                total, chargesPerOrder, ordersCharged, doubleCharged, extraCharges, sold, stockLeft,
                Math.max(0, sold - this.request.stock()), this.soldOut.get(), waits, waited.toMillis(),
                longest.toMillis(), this.lockNotAcquired.get(), this.staleTokens.get(), this.otherFailures.get(),
                this.lastFailure, perServer, runsPerPeriod, periodsRunTwice, extraRuns, this.leaseLost.get(),
                (settlement != null) ? settlement.completions() : 0, (settlement != null) ? settlement.overlaps() : 0,
                (settlement != null) ? settlement.takeoverMillis() : -1, answeredPerSecond(), answerMillisAt(50),
                answerMillisAt(99), lockCalls);
    }

    private double answeredPerSecond() {
        long elapsed = elapsedMillis();
        int answered = 0;
        for (int i = 0; i < this.answerNanos.length(); i++) {
            answered += (this.answerNanos.get(i) > 0) ? 1 : 0;
        }
        return (elapsed == 0) ? 0 : answered * 1000.0 / elapsed;
    }

    /** The buyers' answer time at the given percentile, of the buyers answered so far; 0 when none is. */
    private double answerMillisAt(int percentile) {
        List<Long> answered = new ArrayList<>();
        for (int i = 0; i < this.answerNanos.length(); i++) {
            long nanos = this.answerNanos.get(i);
            if (nanos > 0) {
                answered.add(nanos);
            }
        }
        if (answered.isEmpty()) {
            return 0;
        }
        answered.sort(null);
        int index = (int) Math.ceil(percentile / 100.0 * answered.size()) - 1;
        return answered.get(Math.max(0, index)) / 1_000_000.0;
    }

    private long elapsedMillis() {
        long start = this.startNanos;
        if (start == 0) {
            return 0;
        }
        long end = isRunning() ? System.nanoTime() : this.endNanos;
        return Duration.ofNanos(Math.max(0, end - start)).toMillis();
    }

    @FunctionalInterface
    private interface Call {

        boolean succeeded();

    }

}
