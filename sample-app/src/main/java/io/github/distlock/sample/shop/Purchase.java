package io.github.distlock.sample.shop;

import java.time.Instant;

/**
 * One sale of a flash-sale item.
 *
 * @param id the purchase id
 * @param itemId the item sold
 * @param buyer who bought it
 * @param soldBy the instance (or simulated server) that sold it
 * @param purchasedAt when
 */
public record Purchase(long id, String itemId, String buyer, String soldBy, Instant purchasedAt) {
}
