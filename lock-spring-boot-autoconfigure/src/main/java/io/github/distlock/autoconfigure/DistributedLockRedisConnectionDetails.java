package io.github.distlock.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;
import org.springframework.boot.ssl.SslBundle;

/**
 * Where the Redis of the lock backend is and how to log in to it. Spring Boot's way to replace connection
 * properties: declare a bean of this type (or let a {@code @ServiceConnection} or Docker Compose declare Spring Boot's
 * {@code DataRedisConnectionDetails}, which is adapted) and the {@code distributed-lock.redis.*} and
 * {@code spring.data.redis.*} connection properties are not used. Exactly one of {@link #getStandalone()},
 * {@link #getSentinel()} and {@link #getCluster()} is not {@code null}.
 *
 * <p>By default the details come from, in this order: {@code distributed-lock.redis.*} when any connection property
 * there is set; Spring Boot's {@code DataRedisConnectionDetails} when Spring Data Redis is present; the
 * {@code spring.data.redis.*} properties; {@code localhost:6379}.
 *
 * @since 0.1.0
 */
public interface DistributedLockRedisConnectionDetails extends ConnectionDetails {

    /**
     * Returns the login user (a Redis ACL user).
     * @return the user, or {@code null} for the default user
     */
    default @Nullable String getUsername() {
        return null;
    }

    /**
     * Returns the login password.
     * @return the password, or {@code null} for none
     */
    default @Nullable String getPassword() {
        return null;
    }

    /**
     * Returns whether connections use TLS.
     * @return {@code true} for TLS; by default when {@link #getSslBundle()} is set
     */
    default boolean isSslEnabled() {
        return getSslBundle() != null;
    }

    /**
     * Returns the SSL bundle with the trust material (and client key) for TLS.
     * @return the bundle, or {@code null} for the JVM's default trust
     */
    default @Nullable SslBundle getSslBundle() {
        return null;
    }

    /**
     * Returns the one server, if Redis is one server.
     * @return the server, or {@code null}
     */
    default @Nullable Standalone getStandalone() {
        return null;
    }

    /**
     * Returns the Sentinel-monitored master, if Redis is one.
     * @return the sentinels, or {@code null}
     */
    default @Nullable Sentinel getSentinel() {
        return null;
    }

    /**
     * Returns the Cluster, if Redis is one.
     * @return the cluster, or {@code null}
     */
    default @Nullable Cluster getCluster() {
        return null;
    }

    /**
     * Describes where these details come from, for messages: for example {@code distributed-lock.redis.*}.
     * @return the source
     */
    default String getSource() {
        return getClass().getSimpleName();
    }

    /**
     * One Redis server.
     * @param host the host
     * @param port the port
     * @param database the database index
     */
    record Standalone(String host, int port, int database) {
    }

    /**
     * A master found through Redis Sentinel.
     * @param master the name the sentinels monitor it under
     * @param nodes the sentinels
     * @param database the database index
     * @param username the sentinels' login user, or {@code null}
     * @param password the sentinels' login password, or {@code null}
     */
    record Sentinel(String master, List<Node> nodes, int database, @Nullable String username,
            @Nullable String password) {

        // Never the password: a record's own toString would print it.
        @Override
        public String toString() {
            return "Sentinel[master=" + this.master + ", nodes=" + this.nodes + ", database=" + this.database + "]";
        }

    }

    /**
     * A Redis Cluster.
     * @param nodes some of its nodes
     */
    record Cluster(List<Node> nodes) {
    }

    /**
     * A host and a port.
     * @param host the host
     * @param port the port
     */
    record Node(String host, int port) {

        @Override
        public String toString() {
            return this.host + ":" + this.port;
        }

    }

}
