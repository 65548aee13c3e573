package io.github.distlock.jdbc;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Masks passwords in the text that the JDBC backend puts into its exceptions and log lines, including the drivers'
 * own messages, which echo parts of the JDBC URL when they cannot use it (PostgreSQL's driver reports
 * {@code jdbc:postgresql://user:secret@host/db} as an unknown host {@code user:secret@host}; MariaDB's as a port
 * {@code secret@host}).
 *
 * <p>Two shapes are masked, without knowing the password: the value of a {@code password=}, {@code passwd=} or
 * {@code pwd=} parameter (up to {@code &}, {@code ;}, {@code ,}, {@code )} or white space, or a quoted value), and
 * whatever precedes an {@code @} that is followed by a host, back to a {@code /}, a space, a quote or a bracket (the
 * user information of a URL). A user name written there is masked with the password; a quoted user name such as
 * MariaDB's {@code 'app'@'host'} is left alone. A password that contains white space or one of those separators
 * unencoded may be masked only in part.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class CredentialMasking {

    /** What a masked password reads as. */
    public static final String MASK = "******";

    private static final Pattern PASSWORD_PARAMETER =
            Pattern.compile("(?i)\\b(password|passwd|pwd)(\\s*=\\s*)('[^']*'|\"[^\"]*\"|[^&;,)\\s]*)");

    private static final Pattern USER_INFO = Pattern.compile("(^|[/\\s(\\[=,;])[^\\s/'\"()\\[\\]<>,;]+@(?=[\\w\\[])");

    private CredentialMasking() {
    }

    /**
     * Masks the passwords in a text.
     * @param text a message, a URL or a log argument; may be {@code null}
     * @return the text with every password replaced by {@link #MASK}, or {@code null} for {@code null}
     */
    public static @Nullable String mask(@Nullable String text) {
        if (text == null) {
            return null;
        }
        String masked = PASSWORD_PARAMETER.matcher(text).replaceAll("$1$2" + Matcher.quoteReplacement(MASK));
        return USER_INFO.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
    }

    /**
     * Returns the exception unchanged when no message in its chain (causes and suppressed exceptions, all the way
     * down) shows a password; otherwise a copy of the whole chain with every message masked. A copy keeps the
     * stack traces, the SQL state and vendor code of SQL exceptions, and names the original class in its
     * {@code toString()}, which stack traces print.
     * @param failure the exception, typically a driver's
     * @return the exception or its masked copy
     */
    public static Throwable maskChain(Throwable failure) {
        if (!showsPassword(failure, new IdentityHashMap<>())) {
            return failure;
        }
        return copy(failure, new IdentityHashMap<>());
    }

    /**
     * Like {@link #maskChain(Throwable)}, for an SQL exception: the copy is an {@link SQLException} too.
     * @param failure the driver's exception
     * @return the exception or its masked copy
     */
    public static SQLException maskChain(SQLException failure) {
        return (SQLException) maskChain((Throwable) failure);
    }

    private static boolean showsPassword(@Nullable Throwable failure, Map<Throwable, Boolean> seen) {
        if (failure == null || seen.put(failure, Boolean.TRUE) != null) {
            return false;
        }
        String message = failure.getMessage();
        if (message != null && !message.equals(mask(message))) {
            return true;
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            if (showsPassword(suppressed, seen)) {
                return true;
            }
        }
        return showsPassword(failure.getCause(), seen);
    }

    private static Throwable copy(Throwable original, Map<Throwable, Throwable> copies) {
        Throwable done = copies.get(original);
        if (done != null) {
            return done;
        }
        String message = mask(original.getMessage());
        Throwable masked = (original instanceof SQLException sql)
                ? new MaskedSQLException(original.getClass().getName(), message, sql.getSQLState(), sql.getErrorCode())
                : new MaskedException(original.getClass().getName(), message);
        copies.put(original, masked);
        masked.setStackTrace(original.getStackTrace());
        Throwable cause = original.getCause();
        if (cause != null && cause != original) {
            masked.initCause(copy(cause, copies));
        }
        for (Throwable suppressed : original.getSuppressed()) {
            masked.addSuppressed(copy(suppressed, copies));
        }
        return masked;
    }

    private static String describe(String originalClass, @Nullable String message) {
        return originalClass + " (password masked)" + ((message != null) ? ": " + message : "");
    }

    /** The masked copy of an SQL exception, with its state and vendor code. */
    private static final class MaskedSQLException extends SQLException {

        private static final long serialVersionUID = 1L;

        private final String originalClass;

        MaskedSQLException(String originalClass, @Nullable String message, @Nullable String state, int code) {
            super(message, state, code);
            this.originalClass = originalClass;
        }

        @Override
        public String toString() {
            return describe(this.originalClass, getMessage());
        }

    }

    /** The masked copy of any other exception. */
    private static final class MaskedException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final String originalClass;

        MaskedException(String originalClass, @Nullable String message) {
            super(message);
            this.originalClass = originalClass;
        }

        @Override
        public String toString() {
            return describe(this.originalClass, getMessage());
        }

    }

}
