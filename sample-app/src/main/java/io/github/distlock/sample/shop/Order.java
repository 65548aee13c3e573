package io.github.distlock.sample.shop;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order as stored.
 *
 * @param id the order id
 * @param amount what checking it out charges
 * @param status whether it has been paid
 * @param createdAt when it was created
 */
public record Order(String id, BigDecimal amount, Status status, Instant createdAt) {

    /**
     * Whether an order has been paid.
     */
    public enum Status {

        /** Created, not charged yet. */
        NEW,

        /** Charged; checking it out again charges nothing. */
        PAID

    }

}
