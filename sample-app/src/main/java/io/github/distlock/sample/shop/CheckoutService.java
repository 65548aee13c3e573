package io.github.distlock.sample.shop;

import java.util.OptionalLong;

import io.github.distlock.core.Lease;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.FencingToken;
import io.github.distlock.spring.LockContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.annotation.Transactional;

/**
 * Checks out an order: if it is unpaid, authorizes the payment, charges it in the ledger and marks it paid.
 *
 * <p>The check and the charge are far apart (the payment provider is slow), so two instances checking out the same
 * order at once would both charge it. The {@link DistributedLock} on the order id lets one at a time in; it wraps
 * the {@link Transactional} (acquire, begin, commit, release), so the next holder reads the committed
 * {@code PAID}. The charge carries the lock's fencing token, and the ledger refuses a token older than one it has
 * accepted: a holder that was paused past its lease, while another took over, cannot charge again when it resumes.
 *
 * <p>Thread-safe. Each application instance has one; the demo's simulated servers have one each.
 */
public class CheckoutService {

    private static final Logger logger = LoggerFactory.getLogger(CheckoutService.class);

    private final OrderRepository orders;

    private final PaymentLedger ledger;

    private final PaymentProvider payments;

    private final String instance;

    /**
     * Creates the service.
     * @param orders the orders
     * @param ledger the payment ledger
     * @param payments the payment provider
     * @param instance the name of the instance, recorded with each charge
     */
    public CheckoutService(OrderRepository orders, PaymentLedger ledger, PaymentProvider payments, String instance) {
        this.orders = orders;
        this.ledger = ledger;
        this.payments = payments;
        this.instance = instance;
    }

    /**
     * Checks out an order.
     * @param orderId the order
     * @param fencingToken the lock's fencing token, filled in by the lock; callers pass {@code OptionalLong.empty()}
     *     (it stays empty when locking is off)
     * @return what the checkout did
     * @throws OrderNotFoundException if there is no such order
     * @throws StaleFencingTokenException if the lock was lost and another checkout has charged since
     */
    @DistributedLock(name = "order", key = "#orderId")
    @Transactional
    public CheckoutResult checkout(String orderId, @FencingToken OptionalLong fencingToken) {
        Order order = this.orders.find(orderId).orElseThrow(() -> new OrderNotFoundException(orderId));
        if (order.status() == Order.Status.PAID) {
            return new CheckoutResult(orderId, CheckoutResult.Outcome.ALREADY_PAID, null, this.instance);
        }
        // Checking the lease before the slow step is good practice, but it cannot cover a pause that starts after
        // the check: only the ledger's token check does.
        LockContext.find().ifPresent(Lease::checkHeld);
        logger.info("Authorizing payment for order {} with fencing token {}", orderId, describe(fencingToken));
        this.payments.authorize(orderId);
        Charge charge = this.ledger.charge(orderId, order.amount(), fencingToken, this.instance);
        this.orders.markPaid(orderId);
        logger.info("Charged order {} with fencing token {}", orderId, describe(fencingToken));
        return new CheckoutResult(orderId, CheckoutResult.Outcome.CHARGED, charge, this.instance);
    }

    private static String describe(OptionalLong fencingToken) {
        return fencingToken.isPresent() ? Long.toString(fencingToken.getAsLong()) : "(none: unlocked)";
    }

}
