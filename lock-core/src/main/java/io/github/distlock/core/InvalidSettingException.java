package io.github.distlock.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a settings record of this library (the engine's settings, a backend's options) when one of its values is
 * invalid. It names the setting (the record component) and keeps the value and the reason apart, so that a
 * configuration layer can report its own property name instead: Spring Boot's auto-configuration turns it into a
 * failure that names the {@code distributed-lock.*} property. Each rule is written once, in the record.
 *
 * @since 0.1.0
 */
public class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String setting;

    private final transient @Nullable Object value;

    private final String reason;

    /**
     * Creates the exception.
     * @param setting the name of the invalid setting, as the record names it (for example {@code renewalRatio})
     * @param value the invalid value
     * @param reason what is wrong, as a predicate (for example {@code must be positive})
     */
    public InvalidSettingException(String setting, @Nullable Object value, String reason) {
        super(setting + " " + reason + ", was " + value);
        this.setting = setting;
        this.value = value;
        this.reason = reason;
    }

    /**
     * Returns the name of the invalid setting.
     * @return the record component, for example {@code renewalRatio}
     */
    public String getSetting() {
        return this.setting;
    }

    /**
     * Returns the invalid value.
     * @return the value, possibly {@code null}
     */
    public @Nullable Object getValue() {
        return this.value;
    }

    /**
     * Returns what is wrong with the value.
     * @return the reason, without the setting's name
     */
    public String getReason() {
        return this.reason;
    }

}
