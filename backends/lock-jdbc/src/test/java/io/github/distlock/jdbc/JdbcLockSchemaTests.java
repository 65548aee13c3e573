package io.github.distlock.jdbc;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rendering of the schema scripts: every placeholder is replaced by the configured, validated names.
 */
class JdbcLockSchemaTests {

    @ParameterizedTest
    @EnumSource(JdbcPlatform.class)
    void everyPlaceholderIsReplacedAndEveryStatementIsIdempotent(JdbcPlatform platform) {
        List<String> statements = JdbcLockSchema.statements(platform,
                JdbcLockOptions.defaults().withTable("app", "locks"));
        assertThat(statements).isNotEmpty().allSatisfy(statement -> {
            assertThat(statement).doesNotContain("${").doesNotContain("--").doesNotEndWith(";");
            assertThat(statement)
                .containsPattern("^(CREATE (TABLE|SEQUENCE|INDEX) IF NOT EXISTS |ALTER TABLE \\S+ ADD COLUMN IF NOT EXISTS )");
        });
        assertThat(String.join("\n", statements)).contains("app.locks (").contains("app.locks_token_seq");
    }

    @Test
    void indexNameIsQualifiedOnlyWhereTheDatabaseExpectsIt() {
        JdbcLockOptions options = JdbcLockOptions.defaults().withTable("app", "locks");
        assertThat(JdbcLockSchema.statements(JdbcPlatform.POSTGRESQL, options))
            .contains("CREATE INDEX IF NOT EXISTS locks_expires_idx ON app.locks (expires_at)");
        assertThat(JdbcLockSchema.statements(JdbcPlatform.H2, options))
            .contains("CREATE INDEX IF NOT EXISTS app.locks_expires_idx ON app.locks (expires_at)");
    }

    @Test
    void sequenceIsNotCachedPerSessionOnPostgres() {
        assertThat(JdbcLockSchema.statements(JdbcPlatform.POSTGRESQL, JdbcLockOptions.defaults()))
            .contains("CREATE SEQUENCE IF NOT EXISTS distributed_lock_token_seq CACHE 1");
    }

}
