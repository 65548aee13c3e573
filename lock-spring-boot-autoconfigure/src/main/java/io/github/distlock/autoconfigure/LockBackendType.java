package io.github.distlock.autoconfigure;

/**
 * The lease backends the auto-configuration can create, selected with {@code distributed-lock.backend}.
 *
 * <p>When the property is not set, the constants are tried in declaration order and the first whose configuration
 * applies (its client library is on the classpath, its connection is configured) provides the
 * {@link io.github.distlock.core.spi.LeaseBackend}; {@link #IN_MEMORY} always applies and so comes last. Adding a
 * backend means adding a constant here, ahead of {@link #IN_MEMORY}, and its configuration class.
 *
 * @since 0.1.0
 */
public enum LockBackendType {

    /**
     * Leases in Redis (standalone, Sentinel or Cluster) through Jedis: detected when lock-redis and Jedis are on
     * the classpath.
     */
    REDIS(RedisBackendConfiguration.class, "io.github.distlock:lock-redis and redis.clients:jedis"),

    /**
     * Leases as ephemeral nodes in ZooKeeper through Curator: detected when lock-zookeeper and Curator are on the
     * classpath and {@code distributed-lock.zookeeper.connect-string} is set or the application has a
     * {@code CuratorFramework} bean.
     */
    ZOOKEEPER(ZooKeeperBackendConfiguration.class,
            "io.github.distlock:lock-zookeeper and org.apache.curator:curator-framework"),

    /**
     * Leases in a table of the application's database (PostgreSQL, MariaDB, H2): detected when lock-jdbc is on the
     * classpath and the application has a {@code DataSource}.
     */
    JDBC(JdbcBackendConfiguration.class, "io.github.distlock:lock-jdbc"),

    /**
     * Leases in etcd through jetcd, one etcd lease per holder: detected when lock-etcd and jetcd are on the classpath
     * and the application has a jetcd {@code Client} bean; otherwise chosen with {@code distributed-lock.backend=etcd}.
     */
    ETCD(EtcdBackendConfiguration.class, "io.github.distlock:lock-etcd and io.etcd:jetcd-core"),

    /**
     * Leases kept in this JVM only: for an application that runs as a single instance, and for tests.
     */
    IN_MEMORY(InMemoryBackendConfiguration.class, "io.github.distlock:lock-core");

    private final String configurationClassName;

    private final String libraries;

    LockBackendType(Class<?> configurationClass, String libraries) {
        // Only the name is kept: the import selector hands names to Spring, which reads the class with ASM, so a
        // backend whose library is absent is never loaded.
        this.configurationClassName = configurationClass.getName();
        this.libraries = libraries;
    }

    /**
     * Returns the artifacts this backend needs on the classpath, for messages.
     * @return the artifacts as {@code groupId:artifactId}
     */
    String libraries() {
        return this.libraries;
    }

    /**
     * Returns the name of the configuration class that creates this backend.
     * @return the class name
     */
    String configurationClassName() {
        return this.configurationClassName;
    }

    /**
     * Returns the backend that the given configuration class creates.
     * @param className the name of a backend configuration class
     * @return the backend type
     * @throws IllegalStateException if the class is not a backend configuration class
     */
    static LockBackendType forConfigurationClass(String className) {
        for (LockBackendType type : values()) {
            if (type.configurationClassName.equals(className)) {
                return type;
            }
        }
        throw new IllegalStateException("Unknown lock backend configuration class " + className);
    }

}
