package io.github.distlock.autoconfigure;

import io.github.distlock.jdbc.CredentialMasking;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

/**
 * Where the JDBC backend's data source is configured, as the failure analyzers name it: the bean that
 * {@code distributed-lock.jdbc.data-source} names, or else the application's data source and its
 * {@code spring.datasource.*} properties. The URL is shown masked; the password never. Immutable.
 */
final class LockDataSourceSettings {

    static final String DATA_SOURCE_PROPERTY = DistributedLockProperties.PREFIX + ".jdbc.data-source";

    private final @Nullable String beanName;

    private final @Nullable String url;

    private final @Nullable String username;

    LockDataSourceSettings(@Nullable Environment environment) {
        this.beanName = (environment != null) ? environment.getProperty(DATA_SOURCE_PROPERTY) : null;
        this.url = (environment != null) ? CredentialMasking.mask(environment.getProperty("spring.datasource.url"))
                : null;
        this.username = (environment != null) ? environment.getProperty("spring.datasource.username") : null;
    }

    /**
     * Names the data source in a sentence.
     * @return for example {@code spring.datasource.url=jdbc:postgresql://db/shop as user 'app'}
     */
    String describe() {
        if (this.beanName != null) {
            return "the DataSource bean '" + this.beanName + "' (" + DATA_SOURCE_PROPERTY + ")";
        }
        if (this.url != null) {
            return "spring.datasource.url=" + this.url
                    + ((this.username != null) ? " as user '" + this.username + "'" : "");
        }
        return "the application's DataSource";
    }

    /**
     * Names the setting that holds the data source's URL.
     * @return for example {@code spring.datasource.url}
     */
    String urlSetting() {
        return (this.beanName != null) ? "the URL of the DataSource bean '" + this.beanName + "'"
                : "spring.datasource.url";
    }

    /**
     * Names the settings that hold the data source's login.
     * @return for example {@code spring.datasource.username and spring.datasource.password}
     */
    String loginSettings() {
        return (this.beanName != null) ? "the user name and password of the DataSource bean '" + this.beanName + "'"
                : "spring.datasource.username and spring.datasource.password";
    }

}
