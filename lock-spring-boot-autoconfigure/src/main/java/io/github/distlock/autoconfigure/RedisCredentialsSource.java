package io.github.distlock.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * Connection details that come from properties, and so can name the property that holds the credentials when Redis
 * rejects them (masked, never the password).
 */
interface RedisCredentialsSource {

    /** Returns the prefix of the connection properties, for example {@code distributed-lock.redis}. */
    String propertyPrefix();

    /** Returns the property the server's credentials come from ({@code .password} or {@code .url}). */
    String credentialsProperty();

    /** Returns the masked value of {@link #credentialsProperty()}, or {@code null} when it is not set. */
    @Nullable String credentialsValue();

}
