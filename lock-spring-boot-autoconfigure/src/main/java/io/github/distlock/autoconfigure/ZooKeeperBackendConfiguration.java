package io.github.distlock.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.zookeeper.ZooKeeperLeaseBackend;
import io.github.distlock.zookeeper.ZooKeeperLockOptions;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Creates the {@link ZooKeeperLeaseBackend} when {@code distributed-lock.backend=zookeeper}, or when the property is
 * not set, lock-zookeeper and Curator are on the classpath, and either
 * {@code distributed-lock.zookeeper.connect-string} is set or the application has a {@link CuratorFramework} bean
 * (detection order: see {@link LockBackendType}).
 *
 * <p>The application's own {@link CuratorFramework} bean wins (it is started here if it was not yet); otherwise one,
 * closed with the context, is built from {@code distributed-lock.zookeeper.*}: exponential-backoff retries, and with digest credentials an ACL
 * provider that makes every node it creates readable and writable by that user only. Start-up fails, naming the
 * property, when a value is invalid, when the ensemble cannot be reached within the connection timeout, or when the
 * default lease time ({@code distributed-lock.lease-time}) is longer than the session timeout the server granted.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ ZooKeeperLeaseBackend.class, CuratorFramework.class })
@EnableConfigurationProperties(ZooKeeperLockProperties.class)
@ConditionalOnMissingBean(LeaseBackend.class)
@Conditional({ LockBackendCondition.class, ZooKeeperBackendConfiguration.ChosenOrConfigured.class })
class ZooKeeperBackendConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    CuratorFramework distributedLockCuratorFramework(ZooKeeperLockProperties properties) {
        return newClient(settings(properties));
    }

    @Bean(destroyMethod = "close")
    ZooKeeperLeaseBackend zooKeeperLeaseBackend(ZooKeeperLockProperties properties,
            DistributedLockProperties sharedProperties, CuratorFramework client) {
        ZooKeeperLockOptions options = SettingsFromProperties.build(ZooKeeperLockProperties.PREFIX,
                SettingsFromProperties.names("basePath", "base-path"),
                () -> ZooKeeperLockOptions.defaults().withBasePath(properties.getBasePath()));
        if (client.getState() == CuratorFrameworkState.LATENT) {
            client.start();
        }
        ZooKeeperLeaseBackend backend = ZooKeeperLeaseBackend.create(client, options);
        try {
            requireLeaseWithinSession(sharedProperties.getLeaseTime(), backend.sessionTimeout());
        }
        catch (RuntimeException ex) {
            backend.close();
            throw ex;
        }
        return backend;
    }

    // The ensemble's addresses (a connect string has no credentials; digest ACLs are sent apart) and Curator's own
    // view of the connection: asking ZooKeeper anything would wait for a reconnect rather than say it is down.
    @Bean
    LockBackendStatus zooKeeperLockBackendStatus(CuratorFramework client, ZooKeeperLeaseBackend backend) {
        return new LockBackendStatus(() -> Map.of("connectString",
                String.valueOf(client.getZookeeperClient().getCurrentConnectionString()), "basePath",
                backend.options().basePath(), "sessionTimeout", backend.sessionTimeout().toString()), () -> {
                    String ensemble = String.valueOf(client.getZookeeperClient().getCurrentConnectionString());
                    if (!client.getZookeeperClient().isConnected()) {
                        throw new IllegalStateException("Not connected to ZooKeeper " + ensemble + " (client "
                                + client.getState() + ")");
                    }
                    return Map.of("connectString", ensemble);
                });
    }

    private static ZooKeeperConnectionSettings settings(ZooKeeperLockProperties properties) {
        return SettingsFromProperties.build(ZooKeeperLockProperties.PREFIX,
                SettingsFromProperties.names("connectString", "connect-string", "sessionTimeout", "session-timeout",
                        "connectionTimeout", "connection-timeout", "username", "username", "password", "password",
                        "maxRetries", "retry.max-retries", "baseSleepTime", "retry.base-sleep-time"),
                () -> new ZooKeeperConnectionSettings(properties.getConnectString(), properties.getSessionTimeout(),
                        properties.getConnectionTimeout(), properties.getUsername(), properties.getPassword(),
                        properties.getRetry().getMaxRetries(), properties.getRetry().getBaseSleepTime()));
    }

    private static CuratorFramework newClient(ZooKeeperConnectionSettings settings) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
            .connectString(settings.connectString())
            .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
            .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
            .retryPolicy(new ExponentialBackoffRetry((int) settings.baseSleepTime().toMillis(),
                    settings.maxRetries()));
        if (settings.hasCredentials()) {
            String credentials = settings.username() + ":" + settings.password();
            builder.authorization("digest", credentials.getBytes(StandardCharsets.UTF_8))
                .aclProvider(new CreatorOnlyAcl());
        }
        CuratorFramework client = builder.build();
        client.start();
        return client;
    }

    private static void requireLeaseWithinSession(Duration leaseTime, Duration sessionTimeout) {
        if (leaseTime.compareTo(sessionTimeout) > 0) {
            throw new InvalidConfigurationPropertyValueException(ZooKeeperLockProperties.PREFIX + ".session-timeout",
                    sessionTimeout, "the session timeout granted by the server (" + sessionTimeout + ") is shorter "
                            + "than " + DistributedLockProperties.PREFIX + ".lease-time (" + leaseTime + "): a "
                            + "session that expires ends its leases, so no lease may outlast it. Ask for a longer "
                            + "session timeout (within the server's maxSessionTimeout) or use a shorter lease time");
        }
    }

    /** Every node readable and writable by the authenticated creator only. */
    private static final class CreatorOnlyAcl implements ACLProvider {

        @Override
        public List<ACL> getDefaultAcl() {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }

    }

    /**
     * Matches when the ZooKeeper backend was chosen explicitly (a missing connect string then fails start-up with a
     * message), when a connect string is configured, or when the application has a Curator client.
     */
    static class ChosenOrConfigured extends AnyNestedCondition {

        ChosenOrConfigured() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(name = LockBackendCondition.PROPERTY, havingValue = "zookeeper")
        static class Chosen {

        }

        @ConditionalOnProperty(prefix = ZooKeeperLockProperties.PREFIX, name = "connect-string")
        static class ConnectStringSet {

        }

        @ConditionalOnBean(CuratorFramework.class)
        static class ClientPresent {

        }

    }

}
