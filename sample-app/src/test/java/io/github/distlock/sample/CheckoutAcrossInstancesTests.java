package io.github.distlock.sample;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.distlock.sample.LockService.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's promise, with two real application JVMs on one machine: the same checkouts, fired at both instances at
 * once, charge every order exactly once; with {@code sample.locking=false} the same requests charge some orders
 * twice. The shop's data is the default H2 file database, which the two instances share (the first one to open it
 * serves it to the other); on the embedded default the locks are there too.
 */
class CheckoutAcrossInstancesTests {

    private static final int ORDERS = 20;

    /** Long enough that the two unlocked checkouts of one order overlap. */
    private static final String PAYMENT_TIME = "200ms";

    private static TestServers servers;

    @TempDir
    Path directory;

    @BeforeAll
    static void startServers() {
        servers = TestServers.start();
    }

    @AfterAll
    static void stopServers() {
        servers.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource
    void sameCheckoutsFiredAtBothInstancesChargeEveryOrderExactlyOnce(LockService service) throws Exception {
        Map<String, List<Integer>> charges = checkOutOnTwoInstances(service, true);
        assertThat(charges).hasSize(ORDERS).allSatisfy((order, counts) -> assertThat(counts).containsOnly(1));
    }

    // The race does not depend on the lock service, which is not used: two services show it.
    @ParameterizedTest(name = "{0}")
    @EnumSource(names = { "EMBEDDED_DEFAULT", "REDIS" })
    void withLockingOffTheSameCheckoutsChargeSomeOrdersTwice(LockService service) throws Exception {
        Map<String, List<Integer>> charges = checkOutOnTwoInstances(service, false);
        assertThat(charges).hasSize(ORDERS)
            .allSatisfy((order, counts) -> assertThat(counts.get(0)).isPositive())
            .as("orders charged more than once")
            .anySatisfy((order, counts) -> assertThat(counts.get(0)).isGreaterThan(1));
    }

    // Every order is checked out on both instances at the same moment; returns the ledger's charges of each order,
    // as each instance reads them (they must agree: they share the database).
    private Map<String, List<Integer>> checkOutOnTwoInstances(LockService service, boolean locking) throws Exception {
        Map<String, String> properties = new HashMap<>(service.properties(servers));
        properties.put("sample.data-dir", this.directory.resolve("data").toString());
        properties.put("sample.payment-time", PAYMENT_TIME);
        properties.put("sample.locking", Boolean.toString(locking));
        // One after the other: both run the shop's schema script, and H2 fails concurrent CREATE INDEX IF NOT EXISTS
        // on one database with an internal error.
        try (SampleInstance first = SampleInstance.startReady("first", this.directory, properties);
                SampleInstance second = SampleInstance.startReady("second", this.directory, properties)) {
            List<String> orders = new ArrayList<>();
            for (int i = 0; i < ORDERS; i++) {
                orders.add(first.createOrder());
            }
            List<CompletableFuture<HttpResponse<String>>> checkouts = new ArrayList<>();
            for (String order : orders) {
                checkouts.add(first.checkoutAsync(order));
                checkouts.add(second.checkoutAsync(order));
            }
            for (CompletableFuture<HttpResponse<String>> checkout : checkouts) {
                HttpResponse<String> response = checkout.get(TestTimings.REQUEST.toSeconds(), TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
            Map<String, List<Integer>> charges = new HashMap<>();
            for (String order : orders) {
                charges.put(order, List.of(first.charges(order).size(), second.charges(order).size()));
                assertThat(charges.get(order).get(0)).isEqualTo(charges.get(order).get(1));
            }
            return charges;
        }
    }

}
