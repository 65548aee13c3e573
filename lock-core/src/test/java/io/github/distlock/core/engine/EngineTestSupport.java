package io.github.distlock.core.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.TestTimings;
import io.github.distlock.core.spi.LeaseBackend;

import org.junit.jupiter.api.AfterEach;

import static org.awaitility.Awaitility.await;

/**
 * What the engine tests share: engines closed after each test, random keys, and a way to act from another thread
 * (reentrancy is per thread, so "another owner" is usually another thread).
 */
abstract class EngineTestSupport {

    private final Queue<LockEngine> engines = new ConcurrentLinkedQueue<>();

    LockEngine engineOver(LeaseBackend backend) {
        return engineOver(backend, LockEngineSettings.defaults());
    }

    LockEngine engineOver(LeaseBackend backend, LockEngineSettings settings) {
        LockEngine engine = new LockEngine(backend, settings);
        this.engines.add(engine);
        return engine;
    }

    @AfterEach
    void closeEngines() {
        this.engines.forEach(LockEngine::close);
    }

    static String uniqueKey() {
        return "test-" + UUID.randomUUID();
    }

    static LockRequest request(String key, Duration leaseTime) {
        return LockRequest.of(key, leaseTime);
    }

    /** Whether another thread (which holds nothing) would be granted the key now; releases at once if so. */
    static boolean freeForAnotherThread(LockEngine engine, String key) throws Exception {
        return onAnotherThread(() -> {
            Optional<Lease> lease = engine.tryAcquire(LockRequest.of(key, TestTimings.LONG_LEASE));
            lease.ifPresent(Lease::release);
            return lease.isPresent();
        });
    }

    static <T> T onAnotherThread(Callable<T> action) throws Exception {
        return startOnAnotherThread(action).get();
    }

    static <T> Background<T> startOnAnotherThread(Callable<T> action) {
        FutureTask<T> task = new FutureTask<>(action);
        Thread thread = new Thread(task, "test-other-thread");
        thread.setDaemon(true);
        thread.start();
        return new Background<>(thread, task);
    }

    /** Lets the given time pass; for "nothing happens meanwhile" checks, never for waiting on a condition. */
    static void pause(Duration duration) {
        await().pollDelay(duration).atMost(duration.plus(TestTimings.PATIENCE)).until(() -> true);
    }

    /** Work running on a thread of its own. */
    record Background<T>(Thread thread, FutureTask<T> task) {

        T get() throws Exception {
            try {
                return this.task.get(TestTimings.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (ExecutionException ex) {
                throw (ex.getCause() instanceof Exception cause) ? cause : ex;
            }
        }

    }

}
