package io.github.distlock.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.core.env.Environment;

/**
 * Spring Boot's {@link DataRedisConnectionDetails} seen as the lock backend's connection details, so that a
 * {@code @ServiceConnection}, Docker Compose or the application's own bean of that type also places the locks.
 * Loaded only when Spring Boot's Redis module is on the classpath. When Boot's details are the ones it reads from
 * {@code spring.data.redis.*}, rejected credentials name those properties. Immutable.
 *
 * <p>Not final only for its one subclass, for Boot's details that come from properties.
 */
class DataRedisConnectionDetailsAdapter implements DistributedLockRedisConnectionDetails {

    private static final String BOOT_PROPERTIES_DETAILS = "PropertiesDataRedisConnectionDetails";

    private final DataRedisConnectionDetails details;

    private final boolean sslEnabled;

    DataRedisConnectionDetailsAdapter(DataRedisConnectionDetails details, boolean sslEnabled) {
        this.details = details;
        this.sslEnabled = sslEnabled;
    }

    /**
     * Adapts Boot's details.
     * @param details Spring Boot's details
     * @param environment where {@code spring.data.redis.ssl.enabled} is read when the details come from properties
     * @return the adapted details, which name {@code spring.data.redis.*} in messages when that is their source
     */
    static DistributedLockRedisConnectionDetails adapt(DataRedisConnectionDetails details, Environment environment) {
        boolean fromProperties = details.getClass().getSimpleName().equals(BOOT_PROPERTIES_DETAILS);
        boolean ssl = details.getSslBundle() != null || (fromProperties
                && environment.getProperty(RedisConnectionSettings.SPRING_DATA_PREFIX + ".ssl.enabled", Boolean.class,
                        false));
        if (details.getStandalone() == null && details.getSentinel() == null && details.getCluster() == null
                && details.getMasterReplica() != null) {
            throw new IllegalStateException("Spring Boot's Redis connection details (" + details.getClass().getName()
                    + ") name a static master and replicas, which the lock backend cannot use; declare a "
                    + "DistributedLockRedisConnectionDetails bean or set distributed-lock.redis.*");
        }
        return fromProperties ? new FromSpringDataRedisProperties(details, ssl, environment)
                : new DataRedisConnectionDetailsAdapter(details, ssl);
    }

    @Override
    public @Nullable String getUsername() {
        return this.details.getUsername();
    }

    @Override
    public @Nullable String getPassword() {
        return this.details.getPassword();
    }

    @Override
    public boolean isSslEnabled() {
        return this.sslEnabled;
    }

    @Override
    public @Nullable SslBundle getSslBundle() {
        return this.details.getSslBundle();
    }

    @Override
    public @Nullable Standalone getStandalone() {
        DataRedisConnectionDetails.Standalone standalone = this.details.getStandalone();
        return (standalone != null) ? new Standalone(standalone.getHost(), standalone.getPort(),
                standalone.getDatabase()) : null;
    }

    @Override
    public @Nullable Sentinel getSentinel() {
        DataRedisConnectionDetails.Sentinel sentinel = this.details.getSentinel();
        return (sentinel != null) ? new Sentinel(sentinel.getMaster(), nodes(sentinel.getNodes()),
                sentinel.getDatabase(), sentinel.getUsername(), sentinel.getPassword()) : null;
    }

    @Override
    public @Nullable Cluster getCluster() {
        DataRedisConnectionDetails.Cluster cluster = this.details.getCluster();
        return (cluster != null) ? new Cluster(nodes(cluster.getNodes())) : null;
    }

    @Override
    public String getSource() {
        return "Spring Boot's " + this.details.getClass().getSimpleName();
    }

    private static List<Node> nodes(List<DataRedisConnectionDetails.Node> nodes) {
        return nodes.stream().map(node -> new Node(node.host(), node.port())).toList();
    }

    /** Boot's details read from {@code spring.data.redis.*}: rejected credentials name those properties. */
    private static final class FromSpringDataRedisProperties extends DataRedisConnectionDetailsAdapter
            implements RedisCredentialsSource {

        private final @Nullable String url;

        FromSpringDataRedisProperties(DataRedisConnectionDetails details, boolean sslEnabled,
                Environment environment) {
            super(details, sslEnabled);
            this.url = environment.getProperty(RedisConnectionSettings.SPRING_DATA_PREFIX + ".url");
        }

        @Override
        public String getSource() {
            return RedisConnectionSettings.SPRING_DATA_PREFIX + ".* through Spring Boot";
        }

        @Override
        public String propertyPrefix() {
            return RedisConnectionSettings.SPRING_DATA_PREFIX;
        }

        @Override
        public String credentialsProperty() {
            return propertyPrefix() + ((this.url != null) ? ".url" : ".password");
        }

        @Override
        public @Nullable String credentialsValue() {
            if (this.url != null) {
                return RedisUrl.mask(this.url);
            }
            return (getPassword() != null) ? "******" : null;
        }

    }

}
