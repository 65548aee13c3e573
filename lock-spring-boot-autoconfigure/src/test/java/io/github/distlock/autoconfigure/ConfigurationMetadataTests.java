package io.github.distlock.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.etcd.EtcdLockOptions;
import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLockOptions;
import io.github.distlock.redis.RedlockLeaseBackend;
import io.github.distlock.spring.DistributedLockSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the configuration metadata that the processor generates from the properties classes: IDEs show it as help,
 * so every property must be there with a description, and the defaults it lists must be the library's own (the
 * fields take them from the settings records, which the processor cannot read, so the metadata file lists them).
 */
class ConfigurationMetadataTests {

    private static final String METADATA = "META-INF/spring-configuration-metadata.json";

    /**
     * The actuator's properties of our endpoint (the configuration processor writes them for an {@code @Endpoint})
     * and of our health indicator (written by hand).
     */
    private static final List<String> OPERATIONS_PROPERTIES = List.of("management.health.distributedlock.enabled",
            "management.endpoint.distributedlocks.access", "management.endpoint.distributedlocks.cache.time-to-live");

    @Test
    void everyPropertyIsListedWithADescription() throws IOException {
        List<Map<String, Object>> properties = JsonPath.read(ourMetadata(), "$.properties");
        assertThat(properties).extracting(property -> property.get("name"))
            .allSatisfy(name -> assertThat((String) name).satisfiesAnyOf(
                    (listed) -> assertThat(listed).startsWith("distributed-lock."),
                    (listed) -> assertThat(listed).isIn(OPERATIONS_PROPERTIES)))
            .contains("distributed-lock.enabled", "distributed-lock.backend", "distributed-lock.lease-time",
                    "distributed-lock.wait-time", "distributed-lock.max-wait-time", "distributed-lock.key-prefix",
                    "distributed-lock.order", "distributed-lock.on-lease-lost", "distributed-lock.renewal.ratio",
                    "distributed-lock.renewal.threads", "distributed-lock.backoff.initial",
                    "distributed-lock.backoff.max", "distributed-lock.redis.url", "distributed-lock.redis.host",
                    "distributed-lock.redis.port", "distributed-lock.redis.username", "distributed-lock.redis.password",
                    "distributed-lock.redis.database", "distributed-lock.redis.ssl.enabled",
                    "distributed-lock.redis.ssl.bundle", "distributed-lock.redis.connect-timeout",
                    "distributed-lock.redis.timeout", "distributed-lock.redis.pool.max-size",
                    "distributed-lock.redis.sentinel.master", "distributed-lock.redis.sentinel.nodes",
                    "distributed-lock.redis.sentinel.username", "distributed-lock.redis.sentinel.password",
                    "distributed-lock.redis.cluster.nodes", "distributed-lock.redis.redlock.nodes",
                    "distributed-lock.redis.redlock.node-timeout", "distributed-lock.redis.key-prefix",
                    "distributed-lock.redis.max-key-length", "distributed-lock.redis.replica-acknowledgements",
                    "distributed-lock.redis.replica-acknowledgement-timeout", "distributed-lock.redis.token-retention",
                    "distributed-lock.jdbc.data-source", "distributed-lock.jdbc.database-schema",
                    "distributed-lock.jdbc.schema", "distributed-lock.jdbc.table-name",
                    "distributed-lock.jdbc.initialize-schema", "distributed-lock.jdbc.query-timeout",
                    "distributed-lock.jdbc.expired-row-retention", "distributed-lock.jdbc.release-notification",
                    "distributed-lock.zookeeper.connect-string",
                    "distributed-lock.zookeeper.session-timeout", "distributed-lock.zookeeper.connection-timeout",
                    "distributed-lock.zookeeper.base-path", "distributed-lock.zookeeper.username",
                    "distributed-lock.zookeeper.password", "distributed-lock.zookeeper.retry.max-retries",
                    "distributed-lock.zookeeper.retry.base-sleep-time",
                    "distributed-lock.etcd.endpoints",
                    "distributed-lock.etcd.username", "distributed-lock.etcd.password",
                    "distributed-lock.etcd.key-prefix", "distributed-lock.etcd.max-key-length",
                    "distributed-lock.etcd.request-timeout", "distributed-lock.etcd.connect-timeout",
                    "distributed-lock.etcd.ssl.bundle")
            .contains(OPERATIONS_PROPERTIES.toArray());
        assertThat(properties).allSatisfy(property -> assertThat((String) property.get("description"))
            .as("description of %s", property.get("name"))
            .isNotBlank());
    }

    @Test
    void listedDefaultsAreTheLibraryDefaults() throws IOException {
        String metadata = ourMetadata();
        DistributedLockSettings settings = DistributedLockSettings.defaults();
        LockEngineSettings engine = LockEngineSettings.defaults();
        RedisLockOptions redis = RedisLockOptions.defaults();
        JdbcLockOptions jdbc = JdbcLockOptions.defaults();
        assertThat(defaultOf(metadata, "distributed-lock.enabled")).isEqualTo(true);
        assertThat(defaultOf(metadata, "management.health.distributedlock.enabled")).isEqualTo(true);
        assertThat(defaultOf(metadata, "management.endpoint.distributedlocks.access")).isEqualTo("unrestricted");
        assertThat(durationOf(metadata, "distributed-lock.lease-time")).isEqualTo(settings.defaultLeaseTime());
        assertThat(durationOf(metadata, "distributed-lock.wait-time")).isEqualTo(settings.defaultWaitTime());
        assertThat(durationOf(metadata, "distributed-lock.max-wait-time")).isEqualTo(settings.maxWaitTime());
        assertThat(defaultOf(metadata, "distributed-lock.key-prefix")).isEqualTo(settings.keyPrefix());
        assertThat(defaultOf(metadata, "distributed-lock.order")).isEqualTo(settings.advisorOrder());
        assertThat(defaultOf(metadata, "distributed-lock.on-lease-lost"))
            .isEqualTo(settings.onLeaseLost().name().toLowerCase(Locale.ROOT));
        assertThat(defaultOf(metadata, "distributed-lock.renewal.ratio")).isEqualTo(engine.renewalRatio());
        assertThat(defaultOf(metadata, "distributed-lock.renewal.threads")).isEqualTo(engine.renewalThreads());
        assertThat(durationOf(metadata, "distributed-lock.backoff.initial")).isEqualTo(engine.initialBackoff());
        assertThat(durationOf(metadata, "distributed-lock.backoff.max")).isEqualTo(engine.maxBackoff());
        assertThat(defaultOf(metadata, "distributed-lock.redis.key-prefix")).isEqualTo(redis.keyPrefix());
        assertThat(defaultOf(metadata, "distributed-lock.redis.max-key-length")).isEqualTo(redis.maxKeyLength());
        assertThat(defaultOf(metadata, "distributed-lock.redis.replica-acknowledgements"))
            .isEqualTo(redis.replicasToAcknowledge());
        assertThat(durationOf(metadata, "distributed-lock.redis.replica-acknowledgement-timeout"))
            .isEqualTo(redis.replicaAcknowledgementTimeout());
        assertThat(durationOf(metadata, "distributed-lock.redis.token-retention")).isEqualTo(redis.tokenRetention());
        assertThat(defaultOf(metadata, "distributed-lock.redis.pool.max-size"))
            .isEqualTo(RedisConnections.DEFAULT_POOL_SIZE);
        assertThat(durationOf(metadata, "distributed-lock.redis.redlock.node-timeout"))
            .isEqualTo(RedlockLeaseBackend.DEFAULT_NODE_TIMEOUT);
        assertThat(defaultOf(metadata, "distributed-lock.jdbc.table-name")).isEqualTo(jdbc.tableName());
        assertThat(defaultOf(metadata, "distributed-lock.jdbc.initialize-schema")).isEqualTo("embedded");
        assertThat(durationOf(metadata, "distributed-lock.jdbc.query-timeout")).isEqualTo(jdbc.queryTimeout());
        assertThat(durationOf(metadata, "distributed-lock.jdbc.expired-row-retention"))
            .isEqualTo(jdbc.expiredRowRetention());
        assertThat(defaultOf(metadata, "distributed-lock.jdbc.release-notification"))
            .isEqualTo(jdbc.releaseNotification());
        EtcdLockOptions etcd = EtcdLockOptions.defaults();
        assertThat(defaultOf(metadata, "distributed-lock.etcd.endpoints"))
            .isEqualTo(List.of(EtcdConnectionSettings.DEFAULT_ENDPOINT));
        assertThat(defaultOf(metadata, "distributed-lock.etcd.key-prefix")).isEqualTo(etcd.keyPrefix());
        assertThat(defaultOf(metadata, "distributed-lock.etcd.max-key-length")).isEqualTo(etcd.maxKeyLength());
        assertThat(durationOf(metadata, "distributed-lock.etcd.request-timeout")).isEqualTo(etcd.requestTimeout());
        assertThat(durationOf(metadata, "distributed-lock.etcd.connect-timeout"))
            .isEqualTo(EtcdConnectionSettings.DEFAULT_CONNECT_TIMEOUT);
    }

    @Test
    void defaultsOfTheBoundPropertiesAreTheLibraryDefaults() {
        DistributedLockProperties shared = new DistributedLockProperties();
        assertThat(new DistributedLockSettings(shared.getLeaseTime(), shared.getWaitTime(), shared.getMaxWaitTime(),
                shared.getKeyPrefix(), shared.getOrder(), shared.getOnLeaseLost()))
            .isEqualTo(DistributedLockSettings.defaults());
        LockEngineSettings engine = LockEngineSettings.defaults();
        assertThat(new LockEngineSettings(shared.getRenewal().getRatio(), engine.clockDriftFactor(),
                engine.clockDriftMinimum(), shared.getBackoff().getInitial(), shared.getBackoff().getMax(),
                shared.getRenewal().getThreads())).isEqualTo(engine);
        RedisLockProperties redis = new RedisLockProperties();
        assertThat(new RedisLockOptions(redis.getKeyPrefix(), redis.getMaxKeyLength(),
                redis.getReplicaAcknowledgements(), redis.getReplicaAcknowledgementTimeout(),
                redis.getTokenRetention())).isEqualTo(RedisLockOptions.defaults());
        assertThat(redis.getRedlock().getNodeTimeout()).isEqualTo(RedlockLeaseBackend.DEFAULT_NODE_TIMEOUT);
        JdbcLockProperties jdbc = new JdbcLockProperties();
        JdbcLockOptions jdbcDefaults = JdbcLockOptions.defaults();
        assertThat(jdbc.getTableName()).isEqualTo(jdbcDefaults.tableName());
        assertThat(jdbc.getQueryTimeout()).isEqualTo(jdbcDefaults.queryTimeout());
        assertThat(jdbc.getExpiredRowRetention()).isEqualTo(jdbcDefaults.expiredRowRetention());
        EtcdLockProperties etcd = new EtcdLockProperties();
        assertThat(new EtcdLockOptions(etcd.getKeyPrefix(), etcd.getMaxKeyLength(), etcd.getRequestTimeout()))
            .isEqualTo(EtcdLockOptions.defaults());
        assertThat(etcd.getEndpoints()).containsExactly(EtcdConnectionSettings.DEFAULT_ENDPOINT);
    }

    @Test
    void theOldSchemaPropertyIsDeprecatedInFavourOfDatabaseSchema() throws IOException {
        List<Object> replacement = JsonPath.read(ourMetadata(),
                "$.properties[?(@.name == 'distributed-lock.jdbc.schema')].deprecation.replacement");
        assertThat(replacement).containsExactly("distributed-lock.jdbc.database-schema");
    }

    private static Duration durationOf(String metadata, String name) {
        return DurationStyle.detectAndParse(String.valueOf(defaultOf(metadata, name)));
    }

    private static Object defaultOf(String metadata, String name) {
        List<Object> values = JsonPath.read(metadata, "$.properties[?(@.name == '" + name + "')].defaultValue");
        assertThat(values).as("default of %s", name).hasSize(1);
        return values.get(0);
    }

    // Spring Boot's own jars carry metadata files too: take the one next to our classes.
    private static String ourMetadata() throws IOException {
        String ourLocation = DistributedLockProperties.class.getProtectionDomain().getCodeSource().getLocation()
            .toString();
        ClassLoader classLoader = ConfigurationMetadataTests.class.getClassLoader();
        for (URL candidate : Collections.list(classLoader.getResources(METADATA))) {
            if (candidate.toString().contains(ourLocation)) {
                try (InputStream in = candidate.openStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError(METADATA + " was not generated into " + ourLocation);
    }

}
