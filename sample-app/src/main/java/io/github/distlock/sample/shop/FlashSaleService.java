package io.github.distlock.sample.shop;

import io.github.distlock.spring.DistributedLock;

import org.springframework.transaction.annotation.Transactional;

/**
 * Sells flash-sale items: checks the stock, authorizes the payment, takes one item out and records the purchase.
 * Without the {@link DistributedLock} on the item, buyers who all see "1 left" all get it, and the item is oversold.
 *
 * <p>Three designs, which the demo measures side by side: {@link #buy} holds the lock on the item (every buyer queues
 * for it, even after the last item went); {@link #buyWithConditionalUpdate} needs no lock, because the database
 * takes the item out only if one is left ({@code UPDATE ... WHERE stock > 0}) and a retried click of the same buyer
 * finds its purchase instead of buying again; {@link #sellOne} is the plain check-then-act, safe only when all buys
 * of the item are routed to one single-threaded seller.
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
        return sell(itemId, buyer);
    }

    /**
     * Buys one item with no lock at all: the check and the take are one conditional statement, so two buyers can
     * never take the same last item, and a buyer who already bought (a retried click) gets that purchase back.
     * @param itemId the item
     * @param buyer who buys it; the idempotency key of the purchase
     * @return the purchase, the one made before if this buyer already bought the item
     * @throws ItemNotFoundException if there is no such item
     * @throws SoldOutException if none is left
     */
    @Transactional
    public Purchase buyWithConditionalUpdate(String itemId, String buyer) {
        if (!this.stock.claimPurchaseKey(itemId, buyer)) {
            // This buyer's earlier click committed first: its purchase, or it found the item sold out.
            return this.stock.findPurchase(itemId, buyer).orElseThrow(() -> new SoldOutException(itemId));
        }
        if (this.stock.find(itemId).isEmpty()) {
            throw new ItemNotFoundException(itemId);
        }
        this.payments.authorize(itemId);
        if (!this.stock.takeOneIfLeft(itemId)) {
            // The payment is authorized but not captured: a real shop voids the authorization here.
            throw new SoldOutException(itemId);
        }
        return this.stock.recordPurchase(itemId, buyer, this.instance);
    }

    /**
     * Buys one item by checking, then taking: correct only when one thread sells the item (all its buys routed to
     * one seller, as the demo's routed design does), and oversold otherwise.
     * @param itemId the item
     * @param buyer who buys it
     * @return the purchase
     * @throws ItemNotFoundException if there is no such item
     * @throws SoldOutException if none is left
     */
    @Transactional
    public Purchase sellOne(String itemId, String buyer) {
        return sell(itemId, buyer);
    }

    private Purchase sell(String itemId, String buyer) {
        Item item = this.stock.find(itemId).orElseThrow(() -> new ItemNotFoundException(itemId));
        if (item.stock() <= 0) {
            throw new SoldOutException(itemId);
        }
        this.payments.authorize(itemId);
        this.stock.takeOne(itemId);
        return this.stock.recordPurchase(itemId, buyer, this.instance);
    }

}
