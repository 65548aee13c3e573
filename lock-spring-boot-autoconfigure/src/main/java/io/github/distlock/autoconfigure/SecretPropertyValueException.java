package io.github.distlock.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * An invalid value of a property that can hold a secret (a password, or a URL whose user-info carries one). Its value
 * is given masked, and {@link SecretPropertyFailureAnalyzer} reports it instead of Boot's own analyzer, which would
 * print the value it finds in the environment, password and all. It also carries what to do about it.
 */
class SecretPropertyValueException extends InvalidConfigurationPropertyValueException {

    private static final long serialVersionUID = 1L;

    private final String action;

    /**
     * Creates the exception.
     * @param name the property
     * @param maskedValue the value with every secret replaced by {@code ******}, or {@code null}
     * @param reason why it is invalid, without the value
     * @param action what the user should do
     */
    SecretPropertyValueException(String name, @Nullable Object maskedValue, String reason, String action) {
        super(name, maskedValue, reason);
        this.action = action;
    }

    String getAction() {
        return this.action;
    }

}
