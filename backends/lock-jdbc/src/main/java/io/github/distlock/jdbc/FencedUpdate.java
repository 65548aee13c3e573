package io.github.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The resource side of fencing, for a resource that lives in a database: an {@code UPDATE} that applies only when
 * the caller's fencing token is not older than the newest token the row has accepted, and records the token.
 *
 * <pre class="code">
 * FencedUpdate charge = FencedUpdate.of("orders", "fencing_token", "status = ?, charged_at = CURRENT_TIMESTAMP",
 *         "id = ?");
 * // UPDATE orders SET fencing_token = ?, status = ?, charged_at = CURRENT_TIMESTAMP
 * //     WHERE (id = ?) AND (fencing_token IS NULL OR fencing_token &lt;= ?)
 * boolean accepted = charge.execute(connection, lease.fencingToken().orElseThrow(), "CHARGED", orderId);
 * </pre>
 *
 * A holder that paused past its lease still carries its old token; once the next holder has written with a larger
 * one, the old holder's update matches no row and {@link #execute} returns {@code false}. Equal tokens are accepted,
 * so one holder may write several times. The check and the write are one statement on the row's latest version, so
 * no other write slips in between: a concurrent fenced update is waited for and then checked against (or, under
 * REPEATABLE READ and SERIALIZABLE on PostgreSQL, fails with a serialization error).
 *
 * <p>The table and token column must be plain identifiers (optionally {@code schema.table}); the assignment and the
 * condition are SQL written by the developer with {@code ?} parameters — never put user input into them. Immutable
 * and thread-safe.
 *
 * @since 0.1.0
 */
public final class FencedUpdate {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private static final Pattern QUALIFIED_IDENTIFIER =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z_][A-Za-z0-9_]*");

    private final String sql;

    private FencedUpdate(String sql) {
        this.sql = sql;
    }

    /**
     * Creates the update.
     * @param table the resource's table, optionally schema-qualified
     * @param tokenColumn the {@code BIGINT} column that holds the newest accepted token ({@code NULL} before the
     *     first fenced write)
     * @param assignments what the update sets, as in a {@code SET} clause, for example {@code status = ?}
     * @param condition which rows it updates, as in a {@code WHERE} clause, for example {@code id = ?}
     * @return the update
     * @throws IllegalArgumentException if the table or column is not a plain identifier, or a clause is blank
     */
    public static FencedUpdate of(String table, String tokenColumn, String assignments, String condition) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(tokenColumn, "tokenColumn");
        Objects.requireNonNull(assignments, "assignments");
        Objects.requireNonNull(condition, "condition");
        if (!QUALIFIED_IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("Table '" + table + "' is not a plain (optionally schema-qualified) "
                    + "identifier");
        }
        if (!IDENTIFIER.matcher(tokenColumn).matches()) {
            throw new IllegalArgumentException("Token column '" + tokenColumn + "' is not a plain identifier");
        }
        if (assignments.isBlank() || condition.isBlank()) {
            throw new IllegalArgumentException("Both the assignments and the condition of a fenced update are needed");
        }
        return new FencedUpdate("UPDATE " + table + " SET " + tokenColumn + " = ?, " + assignments + " WHERE ("
                + condition + ") AND (" + tokenColumn + " IS NULL OR " + tokenColumn + " <= ?)");
    }

    /**
     * Returns the statement, with the token parameter first and last and the caller's parameters between them.
     * @return the SQL
     */
    public String sql() {
        return this.sql;
    }

    /**
     * Runs the update on the caller's connection and transaction.
     * @param connection the connection (the caller commits)
     * @param fencingToken the fencing token of the caller's lease
     * @param parameters the parameters of the assignments, then of the condition, in order
     * @return {@code true} if at least one row was updated; {@code false} if the token is older than the one the
     *     row accepted last, or no row matched the condition
     * @throws SQLException if the statement failed
     */
    public boolean execute(Connection connection, long fencingToken, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(this.sql)) {
            statement.setLong(1, fencingToken);
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 2, parameters[i]);
            }
            statement.setLong(parameters.length + 2, fencingToken);
            return statement.executeUpdate() > 0;
        }
    }

    @Override
    public String toString() {
        return this.sql;
    }

}
