package io.github.distlock.sample.shop;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The orders table. Thread-safe; joins the caller's transaction.
 */
@Repository
public class OrderRepository {

    private final JdbcClient jdbc;

    /**
     * Creates the repository.
     * @param jdbc the database
     */
    public OrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a new, unpaid order.
     * @param id the order id
     * @param amount what checking it out charges
     * @return the order
     */
    public Order create(String id, BigDecimal amount) {
        Instant now = Instant.now();
        this.jdbc.sql("INSERT INTO shop_order (id, amount, status, created_at) VALUES (:id, :amount, 'NEW', :now)")
            .param("id", id)
            .param("amount", amount)
            .param("now", Timestamp.from(now))
            .update();
        return new Order(id, amount, Order.Status.NEW, now);
    }

    /**
     * Reads an order.
     * @param id the order id
     * @return the order, or empty if there is none with that id
     */
    public Optional<Order> find(String id) {
        return this.jdbc.sql("SELECT id, amount, status, created_at FROM shop_order WHERE id = :id")
            .param("id", id)
            .query((rs, row) -> new Order(rs.getString("id"), rs.getBigDecimal("amount"),
                    Order.Status.valueOf(rs.getString("status")), rs.getTimestamp("created_at").toInstant()))
            .optional();
    }

    /**
     * Marks an order paid.
     * @param id the order id
     */
    public void markPaid(String id) {
        this.jdbc.sql("UPDATE shop_order SET status = 'PAID' WHERE id = :id").param("id", id).update();
    }

}
