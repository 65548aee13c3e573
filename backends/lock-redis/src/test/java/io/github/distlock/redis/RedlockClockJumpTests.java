package io.github.distlock.redis;

import java.time.Duration;
import java.util.UUID;

import io.github.distlock.core.spi.AcquireResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure Redlock is known for when one master's clock jumps forward: the lease expires early on that master,
 * which then completes a majority for a second holder while the first is still valid. Recorded here on five real
 * masters, one of them running under libfaketime, so that the README's warning stays true.
 */
class RedlockClockJumpTests {

    /** A lease long enough never to expire during the test on a master whose clock keeps time. */
    private static final Duration LEASE = Duration.ofSeconds(60);

    private static final int JUMPING = 2;

    private static RedlockMasters masters;

    @BeforeAll
    static void startMasters() {
        masters = RedlockMasters.startWithMovableClockOn(5, JUMPING);
    }

    @AfterAll
    static void stopMasters() {
        masters.close();
    }

    @Test
    void aMasterWhoseClockJumpsForwardPastTheLeaseLetsASecondHolderInWhileTheFirstIsStillValid() {
        RedlockLeaseBackend first = masters.backend();
        RedlockLeaseBackend second = masters.backend();
        String key = "clock-" + UUID.randomUUID();
        // The first holder gets exactly a majority, masters 0 to 2, while 3 and 4 are down.
        masters.kill(3);
        masters.kill(4);
        long start = System.nanoTime();
        assertThat(first.tryAcquire(key, "a", LEASE).isGranted()).as("first holder, on masters 0 to 2").isTrue();
        masters.restart(3);
        masters.restart(4);
        assertThat(second.tryAcquire(key, "b", LEASE).isGranted()).as("a second acquire before the jump").isFalse();
        masters.server(JUMPING).moveClockBy(LEASE.plusSeconds(10));
        AcquireResult secondGrant = second.tryAcquire(key, "b", LEASE);
        assertThat(secondGrant.isGranted()).as("a second holder, on masters 2 to 4, after master 2's clock jumped")
            .isTrue();
        assertThat(System.nanoTime() - (start + LEASE.toNanos())).as("time past the first holder's validity")
            .isNegative();
        assertThat(masters.mastersHolding(first, key, "a")).isEqualTo(2);
        assertThat(masters.mastersHolding(second, key, "b")).isEqualTo(3);
    }

}
