package io.github.distlock.sample.shop;

/**
 * A flash-sale item and its stock.
 *
 * @param id the item id
 * @param name what it is
 * @param initialStock how many there were when the sale started
 * @param stock how many are left; below zero when more were sold than there were
 */
public record Item(String id, String name, int initialStock, int stock) {
}
