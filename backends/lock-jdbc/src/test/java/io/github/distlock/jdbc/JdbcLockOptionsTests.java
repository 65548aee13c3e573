package io.github.distlock.jdbc;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Validation of the options: names that could carry SQL are rejected when the options are created, that is at
 * the application's start-up, before any statement is built.
 */
class JdbcLockOptionsTests {

    @ParameterizedTest
    @ValueSource(strings = { "locks; DROP TABLE orders", "locks--", "\"locks\"", "locks.other", "lo cks", "1locks",
            "locks'", "locks/*", "", "l\u00f6cks" })
    void tableNameWithSqlMetacharactersIsRejected(String tableName) {
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcLockOptions.defaults().withTable(null, tableName))
            .withMessageContaining("Invalid lock table name")
            .withMessageContaining("plain SQL identifier");
    }

    @ParameterizedTest
    @ValueSource(strings = { "public;", "a b", "x.y", "`locks`" })
    void schemaWithSqlMetacharactersIsRejected(String schema) {
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcLockOptions.defaults().withTable(schema, "locks"))
            .withMessageContaining("Invalid lock schema");
    }

    @Test
    void nameLongerThanTheLimitIsRejected() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> JdbcLockOptions.defaults().withTable(null, "t".repeat(JdbcLockOptions.MAX_IDENTIFIER_LENGTH + 1)));
        assertThat(JdbcLockOptions.defaults().withTable(null, "t".repeat(JdbcLockOptions.MAX_IDENTIFIER_LENGTH))
            .tableName()).hasSize(JdbcLockOptions.MAX_IDENTIFIER_LENGTH);
    }

    @Test
    void namesAreQualifiedWithTheSchemaWhenOneIsSet() {
        JdbcLockOptions options = JdbcLockOptions.defaults().withTable("app_locks", "Lock_Table_2");
        assertThat(options.qualifiedTableName()).isEqualTo("app_locks.Lock_Table_2");
        assertThat(options.qualifiedSequenceName()).isEqualTo("app_locks.Lock_Table_2_token_seq");
        assertThat(options.expiryIndexName()).isEqualTo("Lock_Table_2_expires_idx");
        assertThat(JdbcLockOptions.defaults().qualifiedTableName()).isEqualTo("distributed_lock");
    }

    @Test
    void invalidDurationsAndSizesAreRejected() {
        JdbcLockOptions defaults = JdbcLockOptions.defaults();
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMaxKeyLength(0));
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withQueryTimeout(Duration.ZERO));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> defaults.withCleanup(Duration.ofSeconds(-1), Duration.ofMinutes(1), 10));
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withCleanup(Duration.ZERO, Duration.ZERO, 10));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> defaults.withCleanup(Duration.ZERO, Duration.ofMinutes(1), 0));
    }

    @Test
    void defaultsMatchTheSchemaScripts() {
        JdbcLockOptions defaults = JdbcLockOptions.defaults();
        assertThat(defaults.tableName()).isEqualTo("distributed_lock");
        assertThat(defaults.schema()).isNull();
        assertThat(defaults.maxKeyLength()).isEqualTo(255);
        assertThat(defaults.platform()).isNull();
    }

}
