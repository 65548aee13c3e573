package io.github.distlock.sample.web;

import java.util.List;

import io.github.distlock.core.LockClient;
import io.github.distlock.sample.SampleProperties;
import io.github.distlock.sample.scenario.ScenarioReport;
import io.github.distlock.sample.scenario.ScenarioRequest;
import io.github.distlock.sample.scenario.ScenarioRunner;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * What the demo page talks to: {@code GET /api/instance}, {@code POST /api/scenario-runs},
 * {@code GET /api/scenario-runs} and {@code GET /api/scenario-runs/{id}}.
 */
@RestController
@RequestMapping("/api")
class ScenarioController {

    private final ScenarioRunner runner;

    private final SampleProperties properties;

    private final ObjectProvider<LockClient> lockClient;

    ScenarioController(ScenarioRunner runner, SampleProperties properties, ObjectProvider<LockClient> lockClient) {
        this.runner = runner;
        this.properties = properties;
        this.lockClient = lockClient;
    }

    @GetMapping("/instance")
    Instance instance() {
        LockClient client = this.lockClient.getIfAvailable();
        return new Instance(this.properties.getInstanceName(), client != null,
                (client != null) ? client.backendName() : "none",
                this.properties.getPaymentTime().toMillis());
    }

    @PostMapping("/scenario-runs")
    ResponseEntity<ScenarioReport> start(@RequestBody ScenarioForm form) {
        ScenarioRequest request;
        try {
            request = form.toRequest();
        }
        catch (IllegalArgumentException ex) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, ex.getMessage(), ex);
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(this.runner.start(request));
    }

    @GetMapping("/scenario-runs")
    List<ScenarioReport> recent() {
        return this.runner.recent();
    }

    @GetMapping("/scenario-runs/{id}")
    ScenarioReport report(@PathVariable String id) {
        return this.runner.report(id)
            .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No scenario run '" + id + "'"));
    }

    /**
     * This instance, as the page's header shows it.
     * @param name the instance name
     * @param locking whether the application's own endpoints lock ({@code sample.locking})
     * @param backend the lock backend of the application's own endpoints
     * @param paymentTimeMillis the payment time of the application's own endpoints
     */
    record Instance(String name, boolean locking, String backend, long paymentTimeMillis) {
    }

    /**
     * The body of {@code POST /api/scenario-runs}; missing values take the page's defaults.
     * @param kind {@code CHECKOUT}, {@code FLASH_SALE}, {@code SCHEDULED_JOB} or {@code PAUSED_HOLDER}
     * @param servers simulated servers
     * @param orders orders (checkout)
     * @param buyers buyers (flash sale)
     * @param stock items in stock (flash sale)
     * @param locked whether the servers lock
     * @param paymentTimeMillis payment time per payment, and time of one job run
     * @param periods periods the job is scheduled for (scheduled job)
     * @param fencing whether charges carry the fencing token (paused holder)
     * @param design how the flash sale keeps from overselling
     */
    record ScenarioForm(ScenarioRequest.@Nullable Kind kind, @Nullable Integer servers, @Nullable Integer orders,
            @Nullable Integer buyers, @Nullable Integer stock, @Nullable Boolean locked,
            @Nullable Integer paymentTimeMillis, @Nullable Integer periods, @Nullable Boolean fencing,
            ScenarioRequest.@Nullable SaleDesign design) {

        ScenarioRequest toRequest() {
            return new ScenarioRequest((this.kind != null) ? this.kind : ScenarioRequest.Kind.CHECKOUT,
                    orDefault(this.servers, 4), orDefault(this.orders, 40), orDefault(this.buyers, 20),
                    orDefault(this.stock, 1), (this.locked == null) || this.locked,
                    orDefault(this.paymentTimeMillis, 20), orDefault(this.periods, 12),
                    (this.fencing == null) || this.fencing,
                    (this.design != null) ? this.design : ScenarioRequest.SaleDesign.LOCK);
        }

        private static int orDefault(@Nullable Integer value, int defaultValue) {
            return (value != null) ? value : defaultValue;
        }

    }

}
