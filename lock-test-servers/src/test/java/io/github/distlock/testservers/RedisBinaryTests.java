package io.github.distlock.testservers;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where a test's Redis comes from: the installed binary first, then the embedded-redis jar, then a container.
 */
class RedisBinaryTests {

    private static final Optional<Path> INSTALLED = Optional.of(Path.of("/usr/bin/redis-server"));

    @Test
    void theInstalledBinaryWinsOverEverythingElse() {
        assertThat(RedisBinary.choose(INSTALLED, true, true)).isEqualTo(RedisBinary.Source.INSTALLED);
    }

    @Test
    void theEmbeddedJarIsUsedWhenNothingIsInstalled() {
        assertThat(RedisBinary.choose(Optional.empty(), true, true)).isEqualTo(RedisBinary.Source.EMBEDDED_JAR);
    }

    @Test
    void aContainerIsTheLastResort() {
        assertThat(RedisBinary.choose(Optional.empty(), false, true)).isEqualTo(RedisBinary.Source.CONTAINER);
    }

    @Test
    void withNothingAvailableTheTestFailsAndSaysWhatToInstall() {
        assertThatThrownBy(() -> RedisBinary.choose(Optional.empty(), false, false))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("apt-get install -y redis-server");
    }

    @Test
    void thisMachineUsesTheInstalledRedisServer() {
        assertThat(RedisBinary.detect()).isEqualTo(RedisBinary.Source.INSTALLED);
    }

    @Test
    void theEmbeddedFallbackBinaryIsOnTheClasspathAndRuns() throws Exception {
        assertThat(RedisBinary.embeddedBinaryPresent()).isTrue();
        Process version = new ProcessBuilder(RedisBinary.extractEmbedded().toString(), "--version")
            .redirectErrorStream(true)
            .start();
        assertThat(version.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(new String(version.getInputStream().readAllBytes())).contains("Redis server v=6.2");
    }

    @Test
    void aStartedServerAnswersAndIsGoneAfterClose() {
        long pid;
        try (RedisServer server = RedisServer.start(); Jedis connection = server.connect()) {
            assertThat(connection.ping()).isEqualTo("PONG");
            pid = server.pid();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

}
