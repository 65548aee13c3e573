package io.github.distlock.sample.shop;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The flash-sale items, their stock and their purchases. Thread-safe; joins the caller's transaction.
 */
@Repository
public class StockRepository {

    private final JdbcClient jdbc;

    /**
     * Creates the repository.
     * @param jdbc the database
     */
    public StockRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a new item.
     * @param id the item id
     * @param name what it is
     * @param stock how many there are
     * @return the item
     */
    public Item create(String id, String name, int stock) {
        this.jdbc.sql("INSERT INTO sale_item (id, name, initial_stock, stock) VALUES (:id, :name, :stock, :stock)")
            .param("id", id)
            .param("name", name)
            .param("stock", stock)
            .update();
        return new Item(id, name, stock, stock);
    }

    /**
     * Reads an item.
     * @param id the item id
     * @return the item, or empty if there is none with that id
     */
    public Optional<Item> find(String id) {
        return this.jdbc.sql("SELECT id, name, initial_stock, stock FROM sale_item WHERE id = :id")
            .param("id", id)
            .query((rs, row) -> new Item(rs.getString("id"), rs.getString("name"), rs.getInt("initial_stock"),
                    rs.getInt("stock")))
            .optional();
    }

    /**
     * Takes one item out of stock, without looking: the caller checked the stock before.
     * @param id the item id
     */
    public void takeOne(String id) {
        this.jdbc.sql("UPDATE sale_item SET stock = stock - 1 WHERE id = :id").param("id", id).update();
    }

    /**
     * Takes one item out of stock if one is left, in one statement: the database decides, so two buyers cannot take
     * the same last item.
     * @param id the item id
     * @return {@code true} if an item was taken, {@code false} if none was left
     */
    public boolean takeOneIfLeft(String id) {
        return this.jdbc.sql("UPDATE sale_item SET stock = stock - 1 WHERE id = :id AND stock > 0")
            .param("id", id)
            .update() == 1;
    }

    /**
     * Claims the idempotency key of a buyer's purchase of an item, in the caller's transaction: a second claim waits
     * for the first one's transaction and fails if it committed.
     * @param itemId the item
     * @param buyer the buyer
     * @return {@code true} if this is the buyer's first claim, {@code false} if an earlier one committed
     */
    public boolean claimPurchaseKey(String itemId, String buyer) {
        try {
            this.jdbc.sql("INSERT INTO sale_purchase_key (item_id, buyer) VALUES (:item, :buyer)")
                .param("item", itemId)
                .param("buyer", buyer)
                .update();
            return true;
        }
        catch (DuplicateKeyException ex) {
            return false;
        }
    }

    /**
     * Finds the purchase a buyer made of an item.
     * @param itemId the item
     * @param buyer the buyer
     * @return the purchase, or empty if the buyer has not bought the item
     */
    public Optional<Purchase> findPurchase(String itemId, String buyer) {
        return this.jdbc.sql("SELECT id, item_id, buyer, sold_by, purchased_at FROM sale_purchase "
                + "WHERE item_id = :item AND buyer = :buyer")
            .param("item", itemId)
            .param("buyer", buyer)
            .query((rs, row) -> new Purchase(rs.getLong("id"), rs.getString("item_id"), rs.getString("buyer"),
                    rs.getString("sold_by"), rs.getTimestamp("purchased_at").toInstant()))
            .optional();
    }

    /**
     * Records a purchase.
     * @param itemId the item
     * @param buyer who bought it
     * @param soldBy who sold it
     * @return the purchase
     */
    public Purchase recordPurchase(String itemId, String buyer, String soldBy) {
        Instant now = Instant.now();
        long id = this.jdbc.sql("SELECT id FROM FINAL TABLE (INSERT INTO sale_purchase "
                + "(item_id, buyer, sold_by, purchased_at) VALUES (:item, :buyer, :by, :now))")
            .param("item", itemId)
            .param("buyer", buyer)
            .param("by", soldBy)
            .param("now", Timestamp.from(now))
            .query(Long.class)
            .single();
        return new Purchase(id, itemId, buyer, soldBy, now);
    }

    /**
     * Counts the purchases of an item.
     * @param itemId the item
     * @return how many were sold
     */
    public int purchases(String itemId) {
        return this.jdbc.sql("SELECT COUNT(*) FROM sale_purchase WHERE item_id = :item")
            .param("item", itemId)
            .query(Integer.class)
            .single();
    }

}
