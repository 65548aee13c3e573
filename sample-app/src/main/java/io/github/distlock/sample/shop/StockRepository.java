package io.github.distlock.sample.shop;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

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
