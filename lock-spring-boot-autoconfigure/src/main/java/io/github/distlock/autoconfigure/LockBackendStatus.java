package io.github.distlock.autoconfigure;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What the {@code distributedlocks} endpoint shows of the configured backend, and how the {@code distributedLock}
 * health indicator asks it whether it answers. Each backend's configuration declares one; neither part may return
 * or throw a password, or a URL with credentials in it.
 *
 * @param settings the backend's settings, read when the endpoint is; values that are safe to show
 * @param check asks the backend once, within its own time limit, and returns the details of a healthy answer
 */
record LockBackendStatus(Supplier<Map<String, Object>> settings, Check check) {

    /** A status for a backend with nothing to ask: the in-memory backend, or one of the application's own. */
    static LockBackendStatus answering(Map<String, Object> settings) {
        return new LockBackendStatus(() -> settings, () -> Map.of());
    }

    /**
     * One question to the backend.
     */
    @FunctionalInterface
    interface Check {

        /**
         * Asks the backend.
         * @return details of the answer, for the health response
         * @throws Exception if the backend did not answer or refused; its message names no secret
         */
        Map<String, Object> run() throws Exception;

    }

}
