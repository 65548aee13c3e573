package io.github.distlock.spring.interceptor;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.distlock.spring.WhenLocked;
import io.github.distlock.spring.interceptor.DistributedLockOperation.FencingTokenKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stored key is composed so that two different (name, key) pairs never collide.
 */
class LockKeyCompositionTests {

    @Test
    void differentNameAndKeyPairsNeverComposeTheSameStoredKey() {
        List<String> parts = List.of("", "a", "b", ":", "a:", ":b", "a:b", "\\", "a\\", "\\:", "a\\:b", "{x}", "a/x");
        Map<String, String> seen = new HashMap<>();
        for (String name : parts) {
            if (name.isEmpty()) {
                continue;
            }
            for (String key : parts) {
                String stored = operationNamed(name).lockKey("app:", key);
                String pair = name + " | " + key;
                assertThat(seen.put(stored, pair)).as("%s collides with %s as %s", pair, seen.get(stored), stored)
                    .isNull();
            }
        }
    }

    @Test
    void aPlainNameAndKeyReadNaturally() {
        assertThat(operationNamed("order").lockKey("", "42")).isEqualTo("order:42");
        assertThat(operationNamed("order").lockKey("shop:", "42")).isEqualTo("shop:order:42");
        assertThat(operationNamed("nightly-report").lockKey("", "")).isEqualTo("nightly-report");
    }

    private static DistributedLockOperation operationNamed(String name) {
        return new DistributedLockOperation(Object.class.getMethods()[0], "test", name, "", null, Duration.ofSeconds(1),
                Duration.ZERO, WhenLocked.WAIT, true, -1, FencingTokenKind.NONE, false, null, List.of(),
                Duration.ZERO, null);
    }

}
