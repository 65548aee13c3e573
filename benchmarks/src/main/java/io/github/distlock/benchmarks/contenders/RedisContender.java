package io.github.distlock.benchmarks.contenders;

import java.time.Duration;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * A contender whose nodes connect to one Redis server. Thread-safe.
 */
abstract class RedisContender extends TrackingContender {

    final String host;

    final int port;

    RedisContender(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * Makes attempts one millisecond apart until one holds the lock or the wait is over: how a library that never
     * waits takes part in the waiting scenarios, as the floor does.
     * @param wait how long to try
     * @param attempt one attempt; {@code null} if the lock is held by another
     * @return the held lock, or {@code null} after the wait
     * @throws InterruptedException if interrupted between attempts
     */
    static @Nullable Held pollEveryMillisecond(Duration wait, Supplier<@Nullable Held> attempt)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Held held = attempt.get();
            if (held != null) {
                return held;
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.sleep(1);
        }
    }

}
