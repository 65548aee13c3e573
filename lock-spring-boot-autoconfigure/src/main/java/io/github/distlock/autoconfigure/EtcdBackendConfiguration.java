package io.github.distlock.autoconfigure;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.etcd.EtcdLeaseBackend;
import io.github.distlock.etcd.EtcdLockOptions;

import org.jspecify.annotations.Nullable;

import javax.net.ssl.SSLException;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Creates the {@link EtcdLeaseBackend} when {@code distributed-lock.backend=etcd}, or when the property is not set,
 * lock-etcd and jetcd are on the classpath and the application has a jetcd {@link Client} bean. (Detection needs the
 * bean because jetcd alone says nothing about where etcd is; an application that names the backend gets
 * {@code distributed-lock.etcd.endpoints}, by default {@code http://localhost:2379}.)
 *
 * <p>The application's own {@link Client} bean wins, and is left to the application to close; otherwise one is built
 * from {@code distributed-lock.etcd.*} (endpoints, user and password, connect timeout, TLS from the SSL bundle named
 * by {@code ssl.bundle}; jetcd's own retries are bounded by the request timeout) and closed with the context. The
 * client connects on first use, so the application starts while etcd is down; lock calls then fail closed with
 * {@code LockUnavailableException} until etcd answers. With an SSL bundle, start-up makes one TLS handshake with each
 * endpoint ({@link EtcdTlsCheck}): a server whose certificate the bundle does not trust fails start-up naming the
 * property, since no later call could succeed; a server that does not answer is only logged.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ EtcdLeaseBackend.class, Client.class })
@ConditionalOnMissingBean(LeaseBackend.class)
@Conditional({ LockBackendCondition.class, EtcdBackendConfiguration.ChosenOrClientPresent.class })
@EnableConfigurationProperties(EtcdLockProperties.class)
class EtcdBackendConfiguration {

    static final String CLIENT_BEAN = "distributedLockEtcdClient";

    @Bean(name = CLIENT_BEAN, destroyMethod = "close")
    @ConditionalOnMissingBean(Client.class)
    Client distributedLockEtcdClient(EtcdLockProperties properties, ObjectProvider<SslBundles> sslBundles) {
        EtcdConnectionSettings connection = connection(properties);
        String bundleName = properties.getSsl().getBundle();
        SslBundle bundle = (bundleName != null) ? bundle(bundleName, sslBundles.getIfAvailable()) : null;
        Duration requestTimeout = options(properties).requestTimeout();
        if (bundle != null) {
            EtcdTlsCheck.refuseUntrustedServer(bundle, connection, bundleName);
        }
        return client(connection, requestTimeout, bundle);
    }

    private static SslBundle bundle(String name, @Nullable SslBundles bundles) {
        String property = EtcdLockProperties.PREFIX + ".ssl.bundle";
        if (bundles == null) {
            throw new InvalidConfigurationPropertyValueException(property, name,
                    "no SSL bundles are configured (spring.ssl.bundle.*)");
        }
        try {
            return bundles.getBundle(name);
        }
        catch (NoSuchSslBundleException ex) {
            throw new InvalidConfigurationPropertyValueException(property, name,
                    "there is no SSL bundle of that name under spring.ssl.bundle.*");
        }
    }

    @Bean(destroyMethod = "close")
    EtcdLeaseBackend etcdLeaseBackend(EtcdLockProperties properties, Client client, ListableBeanFactory beanFactory) {
        return new EtcdLeaseBackend(client, options(properties), where(properties, beanFactory));
    }

    // The application's own client is described without our properties, which do not configure it.
    private static String where(EtcdLockProperties properties, ListableBeanFactory beanFactory) {
        return beanFactory.containsBean(CLIENT_BEAN) ? connection(properties).describe()
                : "etcd (the application's jetcd Client)";
    }

    // The endpoints as the start-up described them (never credentials: those in endpoints fail start-up); the
    // health asks the cluster for its members, one request within the request timeout.
    @Bean
    LockBackendStatus etcdLockBackendStatus(EtcdLockProperties properties, Client client, EtcdLeaseBackend backend,
            ListableBeanFactory beanFactory) {
        String where = where(properties, beanFactory);
        Duration timeout = backend.options().requestTimeout();
        return new LockBackendStatus(() -> Map.of("endpoints", where, "keyPrefix", backend.options().keyPrefix(),
                "requestTimeout", timeout.toString()), () -> {
                    int members = client.getClusterClient().listMember().get(timeout.toMillis(),
                            TimeUnit.MILLISECONDS).getMembers().size();
                    return Map.of("endpoints", where, "members", members);
                });
    }

    private static EtcdLockOptions options(EtcdLockProperties properties) {
        return SettingsFromProperties.build(EtcdLockProperties.PREFIX,
                SettingsFromProperties.names("keyPrefix", "key-prefix", "maxKeyLength", "max-key-length",
                        "requestTimeout", "request-timeout"),
                () -> new EtcdLockOptions(properties.getKeyPrefix(), properties.getMaxKeyLength(),
                        properties.getRequestTimeout()));
    }

    private static EtcdConnectionSettings connection(EtcdLockProperties properties) {
        refuseCredentialsInEndpoints(properties.getEndpoints());
        return SettingsFromProperties.build(EtcdLockProperties.PREFIX,
                SettingsFromProperties.names("endpoints", "endpoints", "username", "username", "password", "password",
                        "connectTimeout", "connect-timeout"),
                () -> EtcdConnectionSettings.of(properties.getEndpoints(), properties.getUsername(),
                        properties.getPassword(), properties.getConnectTimeout()));
    }

    /**
     * Fails with the value masked: Boot's own analyzer would print the endpoint it finds in the environment, password
     * and all.
     */
    private static void refuseCredentialsInEndpoints(@Nullable List<String> endpoints) {
        if (endpoints == null) {
            return;
        }
        for (String endpoint : endpoints) {
            int scheme = endpoint.indexOf("://");
            int at = endpoint.lastIndexOf('@');
            if (at > scheme + 2 && at >= 0) {
                String masked = ((scheme >= 0) ? endpoint.substring(0, scheme + 3) : "") + "******"
                        + endpoint.substring(at);
                throw new SecretPropertyValueException(EtcdLockProperties.PREFIX + ".endpoints", masked,
                        "must not carry credentials", "Set " + EtcdLockProperties.PREFIX + ".username and "
                                + EtcdLockProperties.PREFIX + ".password instead.");
            }
        }
    }

    private static Client client(EtcdConnectionSettings settings, Duration requestTimeout,
            @Nullable SslBundle bundle) {
        ClientBuilder builder = Client.builder()
            .endpoints(settings.endpoints().toArray(new URI[0]))
            .connectTimeout(settings.connectTimeout())
            .retryMaxDuration(requestTimeout);
        if (bundle != null) {
            try {
                builder.sslContext(ssl -> {
                    ssl.trustManager(bundle.getManagers().getTrustManagerFactory());
                    if (bundle.getStores().getKeyStore() != null) {
                        ssl.keyManager(bundle.getManagers().getKeyManagerFactory());
                    }
                });
            }
            catch (SSLException ex) {
                throw new InvalidConfigurationPropertyValueException(EtcdLockProperties.PREFIX + ".ssl.bundle",
                        "(bundle)", "its trust material could not be used for TLS: " + ex.getMessage());
            }
        }
        if (settings.username() != null) {
            builder.user(ByteSequence.from(settings.username(), StandardCharsets.UTF_8));
            if (settings.password() != null) {
                builder.password(ByteSequence.from(settings.password(), StandardCharsets.UTF_8));
            }
        }
        try {
            return builder.build();
        }
        catch (IllegalArgumentException | IllegalStateException ex) {
            throw new InvalidConfigurationPropertyValueException(EtcdLockProperties.PREFIX + ".endpoints",
                    settings.describe(), "jetcd refused them: " + ex.getMessage());
        }
    }

    /**
     * Matches when the etcd backend was chosen explicitly, or when the application has a jetcd client for detection.
     */
    static class ChosenOrClientPresent extends AnyNestedCondition {

        ChosenOrClientPresent() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(name = LockBackendCondition.PROPERTY, havingValue = "etcd")
        static class Chosen {

        }

        @ConditionalOnBean(Client.class)
        static class ClientPresent {

        }

    }

}
