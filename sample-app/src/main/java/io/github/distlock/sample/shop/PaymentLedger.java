package io.github.distlock.sample.shop;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The payment ledger: records every charge, and is the resource that fencing tokens protect. For each order it keeps
 * the newest fencing token it has accepted, and refuses a charge that carries an older one, with a conditional
 * update in the caller's transaction. A charge without a token (made with locking off) is recorded unchecked: the
 * ledger then cannot tell a stale charge from a current one.
 *
 * <p>Thread-safe; joins the caller's transaction.
 */
@Repository
public class PaymentLedger {

    private static final String SELECT_CHARGES = "SELECT id, order_id, amount, fencing_token, charged_by, charged_at "
            + "FROM ledger_charge ";

    private static final RowMapper<Charge> CHARGE = (rs, row) -> new Charge(rs.getLong("id"), rs.getString("order_id"),
            rs.getBigDecimal("amount"), rs.getObject("fencing_token", Long.class), rs.getString("charged_by"),
            rs.getTimestamp("charged_at").toInstant());

    private final JdbcClient jdbc;

    /**
     * Creates the ledger.
     * @param jdbc the database
     */
    public PaymentLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records a charge, after checking its fencing token.
     * @param orderId the order charged
     * @param amount the amount
     * @param fencingToken the token of the lock the charge is made under, empty without a lock
     * @param chargedBy who makes the charge
     * @return the recorded charge
     * @throws StaleFencingTokenException if the ledger has accepted a newer token for the order
     */
    public Charge charge(String orderId, BigDecimal amount, OptionalLong fencingToken, String chargedBy) {
        if (fencingToken.isPresent()) {
            acceptToken(orderId, fencingToken.getAsLong());
        }
        Instant now = Instant.now();
        Long token = fencingToken.isPresent() ? fencingToken.getAsLong() : null;
        long id = this.jdbc.sql("SELECT id FROM FINAL TABLE (INSERT INTO ledger_charge "
                + "(order_id, amount, fencing_token, charged_by, charged_at) "
                + "VALUES (:order, :amount, :token, :by, :now))")
            .param("order", orderId)
            .param("amount", amount)
            .param("token", token)
            .param("by", chargedBy)
            .param("now", Timestamp.from(now))
            .query(Long.class)
            .single();
        return new Charge(id, orderId, amount, token, chargedBy, now);
    }

    // The conditional update is the check: it takes the row lock, so two charges of one order are ordered, and a
    // token older than the stored one changes nothing.
    private void acceptToken(String orderId, long token) {
        int accepted = this.jdbc.sql("UPDATE ledger_fence SET newest_token = :token "
                + "WHERE order_id = :order AND newest_token <= :token")
            .param("token", token)
            .param("order", orderId)
            .update();
        if (accepted == 1) {
            return;
        }
        Long newest = newestToken(orderId);
        if (newest != null) {
            throw new StaleFencingTokenException(orderId, token, newest);
        }
        try {
            this.jdbc.sql("INSERT INTO ledger_fence (order_id, newest_token) VALUES (:order, :token)")
                .param("order", orderId)
                .param("token", token)
                .update();
        }
        catch (DuplicateKeyException ex) {
            // Another charge of this order inserted the first token meanwhile: compare with it.
            acceptToken(orderId, token);
        }
    }

    private @Nullable Long newestToken(String orderId) {
        return this.jdbc.sql("SELECT newest_token FROM ledger_fence WHERE order_id = :order")
            .param("order", orderId)
            .query(Long.class)
            .optional()
            .orElse(null);
    }

    /**
     * Lists the charges of one order, oldest first.
     * @param orderId the order
     * @return the charges
     */
    public List<Charge> chargesOf(String orderId) {
        return this.jdbc.sql(SELECT_CHARGES + "WHERE order_id = :order ORDER BY id")
            .param("order", orderId)
            .query(CHARGE)
            .list();
    }

    /**
     * Lists the newest charges of all orders, newest first.
     * @param limit how many at most
     * @return the charges
     */
    public List<Charge> latest(int limit) {
        return this.jdbc.sql(SELECT_CHARGES + "ORDER BY id DESC LIMIT :limit")
            .param("limit", limit)
            .query(CHARGE)
            .list();
    }

    /**
     * Counts the charges of every order whose id starts with the prefix.
     * @param orderIdPrefix the prefix
     * @return charges per order id, for orders charged at least once
     */
    public Map<String, Integer> chargeCounts(String orderIdPrefix) {
        return this.jdbc.sql("SELECT order_id, COUNT(*) AS charges FROM ledger_charge WHERE order_id LIKE :prefix "
                + "GROUP BY order_id")
            .param("prefix", orderIdPrefix.replace("%", "\\%").replace("_", "\\_") + "%")
            .query(rs -> {
                Map<String, Integer> counts = new HashMap<>();
                while (rs.next()) {
                    counts.put(rs.getString("order_id"), rs.getInt("charges"));
                }
                return counts;
            });
    }

}
