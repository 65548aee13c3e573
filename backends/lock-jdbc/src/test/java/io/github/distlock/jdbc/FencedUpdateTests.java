package io.github.distlock.jdbc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The statement a fenced update runs. Its behaviour against real databases is in {@link JdbcBackendBehaviour}.
 */
class FencedUpdateTests {

    @Test
    void tokenIsSetFirstAndCheckedLast() {
        FencedUpdate update = FencedUpdate.of("shop.orders", "fencing_token", "status = ?", "id = ?");
        assertThat(update.sql()).isEqualTo("UPDATE shop.orders SET fencing_token = ?, status = ? WHERE (id = ?) "
                + "AND (fencing_token IS NULL OR fencing_token <= ?)");
    }

    @Test
    void tableAndColumnMustBePlainIdentifiers() {
        assertThatIllegalArgumentException().isThrownBy(() -> FencedUpdate.of("orders; --", "t", "a = ?", "id = ?"));
        assertThatIllegalArgumentException().isThrownBy(() -> FencedUpdate.of("orders", "t = 0, x", "a = ?", "id = ?"));
        assertThatIllegalArgumentException().isThrownBy(() -> FencedUpdate.of("orders", "t", " ", "id = ?"));
        assertThatIllegalArgumentException().isThrownBy(() -> FencedUpdate.of("orders", "t", "a = ?", ""));
    }

}
