package io.github.distlock.sample.shop;

import io.github.distlock.spring.DistributedLock;

import org.springframework.transaction.annotation.Transactional;

/**
 * Sells flash-sale items: checks the stock, authorizes the payment, takes one item out and records the purchase.
 * Without the {@link DistributedLock} on the item, buyers who all see "1 left" all get it, and the item is oversold.
 *
 * <p>Thread-safe.
 */
public class FlashSaleService {

    private final StockRepository stock;

    private final PaymentProvider payments;

    private final String instance;

    /**
     * Creates the service.
     * @param stock the items and their stock
     * @param payments the payment provider
     * @param instance the name of the instance, recorded with each purchase
     */
    public FlashSaleService(StockRepository stock, PaymentProvider payments, String instance) {
        this.stock = stock;
        this.payments = payments;
        this.instance = instance;
    }

    /**
     * Buys one item.
     * @param itemId the item
     * @param buyer who buys it
     * @return the purchase
     * @throws ItemNotFoundException if there is no such item
     * @throws SoldOutException if none is left
     */
    @DistributedLock(name = "item", key = "#itemId")
    @Transactional
    public Purchase buy(String itemId, String buyer) {
        Item item = this.stock.find(itemId).orElseThrow(() -> new ItemNotFoundException(itemId));
        if (item.stock() <= 0) {
            throw new SoldOutException(itemId);
        }
        this.payments.authorize(itemId);
        this.stock.takeOne(itemId);
        return this.stock.recordPurchase(itemId, buyer, this.instance);
    }

}
