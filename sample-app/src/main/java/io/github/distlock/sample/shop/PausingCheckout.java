package io.github.distlock.sample.shop;

import java.time.Duration;
import java.util.OptionalLong;

import io.github.distlock.core.Lease;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.FencingToken;
import io.github.distlock.spring.LockContext;

import org.springframework.transaction.annotation.Transactional;

/**
 * The checkout of Kleppmann's example: the holder stops for longer than its lease (a garbage-collection pause, a
 * virtual machine migrated, a swap storm) between reading the order and charging it. Meanwhile its lease ends,
 * another server takes the lock, finds the order unpaid and charges it; then the paused holder resumes and charges
 * too. No lock can prevent that by itself: the holder checked its lease before the pause, and it was fine. The
 * ledger can, when the charge carries the lock's fencing token: it has accepted a newer token for the order and
 * refuses the old one.
 *
 * <p>The lease is short and not renewed ({@link #LEASE_TIME}), so that the demo's pause outlives it; a pause of the
 * whole process would stop renewals too. Thread-safe.
 */
public class PausingCheckout {

    /** The lease of the demo's paused checkout, not renewed. */
    public static final Duration LEASE_TIME = Duration.ofMillis(600);

    private final OrderRepository orders;

    private final PaymentLedger ledger;

    private final String instance;

    /**
     * Creates the checkout of one server.
     * @param orders the orders
     * @param ledger the payment ledger
     * @param instance the server's name, recorded with each charge
     */
    public PausingCheckout(OrderRepository orders, PaymentLedger ledger, String instance) {
        this.orders = orders;
        this.ledger = ledger;
        this.instance = instance;
    }

    /**
     * Checks out an order, stopping for the given time between the read and the charge.
     * @param orderId the order
     * @param pause how long the server stops after reading the order unpaid
     * @param fencing whether the charge carries the lock's fencing token
     * @param fencingToken filled in by the lock; callers pass {@code OptionalLong.empty()}
     * @return what the checkout did
     * @throws StaleFencingTokenException if the charge carried a token older than one the ledger accepted
     */
    @DistributedLock(name = "order", key = "#orderId", leaseTime = "600ms", autoRenew = false)
    @Transactional
    public CheckoutResult checkout(String orderId, Duration pause, boolean fencing,
            @FencingToken OptionalLong fencingToken) {
        Order order = this.orders.find(orderId).orElseThrow(() -> new OrderNotFoundException(orderId));
        if (order.status() == Order.Status.PAID) {
            return new CheckoutResult(orderId, CheckoutResult.Outcome.ALREADY_PAID, null, this.instance);
        }
        // The lease is checked, as it should be, and it is held: the pause comes after the check.
        LockContext.find().ifPresent(Lease::checkHeld);
        try {
            Thread.sleep(pause.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        Charge charge = this.ledger.charge(orderId, order.amount(), fencing ? fencingToken : OptionalLong.empty(),
                this.instance);
        this.orders.markPaid(orderId);
        return new CheckoutResult(orderId, CheckoutResult.Outcome.CHARGED, charge, this.instance);
    }

}
