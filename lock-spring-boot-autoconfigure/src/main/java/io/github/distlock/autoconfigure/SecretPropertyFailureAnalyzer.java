package io.github.distlock.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Reports a {@link SecretPropertyValueException} with its masked value. It runs before Spring Boot's analyzer of
 * invalid property values, which looks the value up in the environment and would print the secret.
 */
final class SecretPropertyFailureAnalyzer extends AbstractFailureAnalyzer<SecretPropertyValueException>
        implements Ordered {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SecretPropertyValueException cause) {
        String value = (cause.getValue() != null) ? " '" + cause.getValue() + "'" : "";
        String description = "Invalid value" + value + " for configuration property '" + cause.getName()
                + "' (secrets masked): " + cause.getReason();
        return new FailureAnalysis(description, cause.getAction(), cause);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

}
