package io.github.distlock.sample.web;

import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

import io.github.distlock.sample.shop.Charge;
import io.github.distlock.sample.shop.CheckoutResult;
import io.github.distlock.sample.shop.CheckoutService;
import io.github.distlock.sample.shop.Order;
import io.github.distlock.sample.shop.OrderNotFoundException;
import io.github.distlock.sample.shop.OrderRepository;
import io.github.distlock.sample.shop.PaymentLedger;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Orders, their checkout, and the payment ledger:
 * {@code POST /api/orders}, {@code GET /api/orders/{id}}, {@code POST /api/orders/{id}/checkout} and
 * {@code GET /api/ledger?orderId=...}.
 */
@RestController
@RequestMapping("/api")
class OrderController {

    private static final BigDecimal DEFAULT_AMOUNT = new BigDecimal("25.00");

    /** The ledger's answer without an order id: its newest entries. */
    private static final int LATEST_CHARGES = 100;

    private final OrderRepository orders;

    private final CheckoutService checkout;

    private final PaymentLedger ledger;

    OrderController(OrderRepository orders, CheckoutService checkout, PaymentLedger ledger) {
        this.orders = orders;
        this.checkout = checkout;
        this.ledger = ledger;
    }

    @PostMapping("/orders")
    ResponseEntity<Order> create(@RequestBody(required = false) @Nullable NewOrder request) {
        BigDecimal amount = (request != null && request.amount() != null) ? request.amount() : DEFAULT_AMOUNT;
        if (amount.signum() <= 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "amount must be positive, was " + amount);
        }
        String id = "order-" + UUID.randomUUID().toString().substring(0, 8);
        Order order = this.orders.create(id, amount);
        return ResponseEntity.created(URI.create("/api/orders/" + id)).body(order);
    }

    @GetMapping("/orders/{id}")
    Order find(@PathVariable String id) {
        return this.orders.find(id).orElseThrow(() -> new OrderNotFoundException(id));
    }

    @PostMapping("/orders/{id}/checkout")
    CheckoutResult checkout(@PathVariable String id) {
        // The lock fills in the fencing token; with locking off it stays empty.
        return this.checkout.checkout(id, OptionalLong.empty());
    }

    @GetMapping("/ledger")
    List<Charge> ledger(@RequestParam(required = false) @Nullable String orderId) {
        return (orderId != null) ? this.ledger.chargesOf(orderId) : this.ledger.latest(LATEST_CHARGES);
    }

    /**
     * The body of {@code POST /api/orders}.
     * @param amount what checking the order out charges; 25.00 when not given
     */
    record NewOrder(@Nullable BigDecimal amount) {
    }

}
