package io.github.distlock.sample.shop;

import org.jspecify.annotations.Nullable;

/**
 * What a checkout did.
 *
 * @param orderId the order
 * @param outcome whether this checkout charged the order
 * @param charge the charge it made, or {@code null} if the order was already paid
 * @param instance the instance (or simulated server) that ran the checkout
 */
public record CheckoutResult(String orderId, Outcome outcome, @Nullable Charge charge, String instance) {

    /**
     * Whether a checkout charged the order.
     */
    public enum Outcome {

        /** The order was unpaid; this checkout charged it. */
        CHARGED,

        /** The order was already paid (by an earlier checkout); nothing was charged. */
        ALREADY_PAID

    }

}
