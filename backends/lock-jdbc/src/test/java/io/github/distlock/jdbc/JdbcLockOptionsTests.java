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
            .withMessageContaining("tableName must be a plain SQL identifier")
            .withMessageContaining("plain SQL identifier");
    }

    @ParameterizedTest
    @ValueSource(strings = { "public;", "a b", "x.y", "`locks`" })
    void schemaWithSqlMetacharactersIsRejected(String schema) {
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcLockOptions.defaults().withTable(schema, "locks"))
            .withMessageContaining("schema must be a plain SQL identifier");
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
        assertThatIllegalArgumentException()
            .isThrownBy(() -> defaults.withCleanup(Duration.ofMinutes(1), Duration.ZERO, 10))
            .withMessageContaining("cleanupInterval");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> defaults.withCleanup(Duration.ofMinutes(1), Duration.ofMinutes(1), 0))
            .withMessageContaining("cleanupBatchSize");
    }

    @ParameterizedTest
    @ValueSource(strings = { "PT0S", "PT1S", "PT5S" })
    void expiredRowRetentionNotLongerThanTheQueryTimeoutIsRejectedSayingWhy(String retention) {
        JdbcLockOptions fiveSeconds = JdbcLockOptions.defaults().withQueryTimeout(Duration.ofSeconds(5));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> fiveSeconds.withCleanup(Duration.parse(retention), Duration.ofMinutes(1), 10))
            .withMessageContaining("expiredRowRetention must be longer than the query timeout (5 s)")
            .withMessageContaining("older fencing token");
    }

    @Test
    void expiredRowRetentionIsComparedWithTheQueryTimeoutRoundedUpToWholeSeconds() {
        JdbcLockOptions roundedUp = JdbcLockOptions.defaults().withQueryTimeout(Duration.ofMillis(1500));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> roundedUp.withCleanup(Duration.ofSeconds(2), Duration.ofMinutes(1), 10))
            .withMessageContaining("query timeout (2 s)");
        assertThat(roundedUp.withCleanup(Duration.ofMillis(2001), Duration.ofMinutes(1), 10).expiredRowRetention())
            .isEqualTo(Duration.ofMillis(2001));
    }

    @Test
    void aQueryTimeoutAsLongAsTheRetentionIsRejectedToo() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> JdbcLockOptions.defaults().withQueryTimeout(Duration.ofMinutes(1)))
            .withMessageContaining("expiredRowRetention must be longer than the query timeout (60 s)");
        assertThat(JdbcLockOptions.defaults().withQueryTimeout(Duration.ofSeconds(59)).queryTimeout())
            .isEqualTo(Duration.ofSeconds(59));
    }

    @Test
    void defaultsMatchTheSchemaScripts() {
        JdbcLockOptions defaults = JdbcLockOptions.defaults();
        assertThat(defaults.tableName()).isEqualTo("distributed_lock");
        assertThat(defaults.schema()).isNull();
        assertThat(defaults.maxKeyLength()).isEqualTo(255);
        assertThat(defaults.platform()).isNull();
        assertThat(defaults.expiredRowRetention()).isEqualTo(Duration.ofMinutes(1))
            .isGreaterThan(defaults.queryTimeout());
    }

}
