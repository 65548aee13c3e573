/**
 * The shop: orders, the payment ledger that records every charge and checks fencing tokens, the stock of flash-sale
 * items, and the two locked services, {@link io.github.distlock.sample.shop.CheckoutService} and
 * {@link io.github.distlock.sample.shop.FlashSaleService}.
 */
@NullMarked
package io.github.distlock.sample.shop;

import org.jspecify.annotations.NullMarked;
