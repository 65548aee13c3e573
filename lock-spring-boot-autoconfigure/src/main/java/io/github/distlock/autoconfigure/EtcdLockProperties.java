package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.distlock.etcd.EtcdLockOptions;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code distributed-lock.etcd.*} properties: where etcd is, how to log in, how keys are named and how long a
 * call may take. Fields and their defaults only: the rules live in {@link EtcdLockOptions} and
 * {@link EtcdConnectionSettings}, and {@link EtcdBackendConfiguration} names the property when a value is invalid.
 *
 * <p>Mutable while the binder fills it; not meant to be changed afterwards. Not thread-safe.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(EtcdLockProperties.PREFIX)
public class EtcdLockProperties {

    static final String PREFIX = DistributedLockProperties.PREFIX + ".etcd";

    /**
     * Client URLs of the etcd members, such as http://etcd-1:2379; ignored when the application has its own jetcd
     * Client bean.
     */
    private List<String> endpoints = new ArrayList<>(List.of(EtcdConnectionSettings.DEFAULT_ENDPOINT));

    /**
     * Login user of etcd's authentication; its role needs read and write on the key prefix only.
     */
    private @Nullable String username;

    /**
     * Login password of etcd's authentication.
     */
    private @Nullable String password;

    /**
     * Put before every lock key, to keep locks apart from other data and other applications.
     */
    private String keyPrefix = EtcdLockOptions.defaults().keyPrefix();

    /**
     * Longest lock key accepted, in characters, without the prefix.
     */
    private int maxKeyLength = EtcdLockOptions.defaults().maxKeyLength();

    /**
     * Time limit of one lock call (acquire, renewal or release) with all its etcd requests.
     */
    private Duration requestTimeout = EtcdLockOptions.defaults().requestTimeout();

    /**
     * Time limit for opening a connection to an etcd member.
     */
    private Duration connectTimeout = EtcdConnectionSettings.DEFAULT_CONNECT_TIMEOUT;

    private final Ssl ssl = new Ssl();

    public List<String> getEndpoints() {
        return this.endpoints;
    }

    public void setEndpoints(List<String> endpoints) {
        this.endpoints = endpoints;
    }

    public @Nullable String getUsername() {
        return this.username;
    }

    public void setUsername(@Nullable String username) {
        this.username = username;
    }

    public @Nullable String getPassword() {
        return this.password;
    }

    public void setPassword(@Nullable String password) {
        this.password = password;
    }

    public String getKeyPrefix() {
        return this.keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public int getMaxKeyLength() {
        return this.maxKeyLength;
    }

    public void setMaxKeyLength(int maxKeyLength) {
        this.maxKeyLength = maxKeyLength;
    }

    public Duration getRequestTimeout() {
        return this.requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public Duration getConnectTimeout() {
        return this.connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Ssl getSsl() {
        return this.ssl;
    }

    /**
     * TLS to etcd.
     */
    public static class Ssl {

        /**
         * Name of the SSL bundle (spring.ssl.bundle.*) with the trust material (and the client key, for etcd's
         * client-certificate authentication); the endpoints are then https URLs.
         */
        private @Nullable String bundle;

        public @Nullable String getBundle() {
            return this.bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }

    }

}
