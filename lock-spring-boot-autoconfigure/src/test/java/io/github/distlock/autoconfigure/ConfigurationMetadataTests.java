package io.github.distlock.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.github.distlock.spring.DistributedLockSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the configuration metadata that the processor generates from {@link DistributedLockProperties}: IDEs show
 * it as help, so every property must be there with a description.
 */
class ConfigurationMetadataTests {

    private static final String METADATA = "META-INF/spring-configuration-metadata.json";

    @Test
    void everyPropertyIsListedWithADescription() throws IOException {
        List<Map<String, Object>> properties = JsonPath.read(ourMetadata(), "$.properties");
        assertThat(properties).extracting(property -> property.get("name"))
            .allSatisfy(name -> assertThat((String) name).startsWith("distributed-lock."))
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
                    "distributed-lock.redis.cluster.nodes", "distributed-lock.redis.key-prefix",
                    "distributed-lock.redis.max-key-length", "distributed-lock.redis.replica-acknowledgements",
                    "distributed-lock.redis.replica-acknowledgement-timeout", "distributed-lock.redis.token-retention",
                    "distributed-lock.jdbc.data-source", "distributed-lock.jdbc.schema", "distributed-lock.jdbc.table-name",
                    "distributed-lock.jdbc.initialize-schema", "distributed-lock.jdbc.query-timeout",
                    "distributed-lock.jdbc.expired-row-retention");
        assertThat(properties).allSatisfy(property -> assertThat((String) property.get("description"))
            .as("description of %s", property.get("name"))
            .isNotBlank());
    }

    @Test
    void defaultsAreListed() throws IOException {
        String metadata = ourMetadata();
        assertThat(defaultOf(metadata, "distributed-lock.enabled")).isEqualTo(true);
        assertThat(defaultOf(metadata, "distributed-lock.lease-time")).isEqualTo("30s");
        assertThat(defaultOf(metadata, "distributed-lock.wait-time")).isEqualTo("5s");
        assertThat(defaultOf(metadata, "distributed-lock.backoff.initial")).isEqualTo("10ms");
        assertThat(defaultOf(metadata, "distributed-lock.redis.key-prefix")).isEqualTo("distlock:");
        assertThat(defaultOf(metadata, "distributed-lock.redis.max-key-length")).isEqualTo(1024);
        assertThat(defaultOf(metadata, "distributed-lock.redis.replica-acknowledgements")).isEqualTo(0);
        assertThat(defaultOf(metadata, "distributed-lock.redis.replica-acknowledgement-timeout")).isEqualTo("1s");
        assertThat(defaultOf(metadata, "distributed-lock.redis.token-retention")).isEqualTo("2s");
        assertThat(defaultOf(metadata, "distributed-lock.redis.pool.max-size")).isEqualTo(16);
        assertThat(defaultOf(metadata, "distributed-lock.jdbc.table-name")).isEqualTo("distributed_lock");
        assertThat(defaultOf(metadata, "distributed-lock.jdbc.initialize-schema")).isEqualTo("embedded");
        assertThat(defaultOf(metadata, "distributed-lock.jdbc.query-timeout")).isEqualTo("5s");
        assertThat(defaultOf(metadata, "distributed-lock.jdbc.expired-row-retention")).isEqualTo("1m");
        // Not a literal in the properties class, so it is declared in additional-spring-configuration-metadata.json.
        assertThat(defaultOf(metadata, "distributed-lock.order"))
            .isEqualTo(DistributedLockSettings.DEFAULT_ADVISOR_ORDER);
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
