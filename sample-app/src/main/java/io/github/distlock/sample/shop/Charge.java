package io.github.distlock.sample.shop;

import java.math.BigDecimal;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One charge recorded in the payment ledger.
 *
 * @param id the ledger entry's id
 * @param orderId the order charged
 * @param amount the amount charged
 * @param fencingToken the fencing token of the lock the charge was made under, or {@code null} when it was made
 *     without a lock
 * @param chargedBy the instance (or simulated server) that made the charge
 * @param chargedAt when the ledger recorded it
 */
public record Charge(long id, String orderId, BigDecimal amount, @Nullable Long fencingToken, String chargedBy,
        Instant chargedAt) {
}
