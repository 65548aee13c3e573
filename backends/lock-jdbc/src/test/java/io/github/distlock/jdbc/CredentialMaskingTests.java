package io.github.distlock.jdbc;

import java.net.UnknownHostException;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shapes in which passwords reach messages (the drivers' own among them, as seen from PostgreSQL's and MariaDB's
 * drivers), and the masked copy of an exception chain.
 */
class CredentialMaskingTests {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            locker:s3cret@127.0.0.1                                | ******@127.0.0.1
            java.net.UnknownHostException: locker:s3cret@127.0.0.1 | java.net.UnknownHostException: ******@127.0.0.1
            Incorrect port value : s3cret@127.0.0.1                | Incorrect port value : ******@127.0.0.1
            jdbc:mysql://locker:s3cret@db.example:3306/shop        | jdbc:mysql://******@db.example:3306/shop
            jdbc:postgresql://db/x?user=u&password=s3cret&ssl=1    | jdbc:postgresql://db/x?user=u&password=******&ssl=1
            jdbc:sqlserver://db;user=u;password=s3cret;ssl=1       | jdbc:sqlserver://db;user=u;password=******;ssl=1
            jdbc:h2:mem:x;PASSWORD=s3cret                          | jdbc:h2:mem:x;PASSWORD=******
            url (pwd = 's3 cret', host=db)                         | url (pwd = ******, host=db)
            jdbc:mariadb://a:p@ss@host/db                          | jdbc:mariadb://******@host/db
            """)
    void passwordsAreMaskedInTheShapesDriversAndUrlsShowThem(String text, String masked) {
        assertThat(CredentialMasking.mask(text)).isEqualTo(masked).doesNotContain("s3");
    }

    @ParameterizedTest
    @ValueSource(strings = { "(conn=5) Access denied for user 'locker'@'127.0.0.1' (using password: YES)",
            "FATAL: password authentication failed for user \"locker\"",
            "Connection to 127.0.0.1:40835 refused. Check that the hostname and port are correct",
            "PostgreSQL 15.8 at jdbc:postgresql://127.0.0.1:5432/postgres as user 'locker'",
            "ERROR: relation \"distributed_lock\" does not exist" })
    void textWithoutAPasswordIsLeftAlone(String text) {
        assertThat(CredentialMasking.mask(text)).isEqualTo(text);
    }

    @Test
    void chainWithoutAPasswordIsReturnedItself() {
        SQLException failure = new SQLException("FATAL: password authentication failed", "28P01",
                new UnknownHostException("db.example"));
        assertThat((Throwable) CredentialMasking.maskChain(failure)).isSameAs(failure);
    }

    @Test
    void chainShowingAPasswordAnywhereIsCopiedWithEveryMessageMasked() {
        SQLException failure = new SQLException("The connection attempt failed.", "08001", 17,
                new UnknownHostException("locker:s3cret@127.0.0.1"));
        failure.addSuppressed(new SQLException("retry of jdbc:postgresql://db/x?password=s3cret failed", "08006"));

        SQLException masked = CredentialMasking.maskChain(failure);

        assertThat((Throwable) masked).isNotSameAs(failure).hasMessage("The connection attempt failed.");
        assertThat(masked.getSQLState()).isEqualTo("08001");
        assertThat(masked.getErrorCode()).isEqualTo(17);
        assertThat(masked.getStackTrace()).isEqualTo(failure.getStackTrace());
        assertThat(masked.toString()).startsWith("java.sql.SQLException");
        assertThat(masked.getCause()).hasMessage("******@127.0.0.1");
        assertThat(masked.getCause().toString()).startsWith("java.net.UnknownHostException (password masked)");
        assertThat(masked.getSuppressed()).singleElement()
            .satisfies(suppressed -> assertThat(suppressed).hasMessageNotContaining("s3cret")
                .hasMessageContaining("password=******"));
    }

    @Test
    void lockTableExceptionMasksItsMessageAndItsCause() {
        LockTableException exception = new LockTableException("Cannot check lock table t: Incorrect port value : "
                + "s3cret@127.0.0.1", new SQLException("Incorrect port value : s3cret@127.0.0.1"));
        assertThat(exception).hasMessageNotContaining("s3cret");
        assertThat(exception.getCause()).hasMessageNotContaining("s3cret");
    }

}
