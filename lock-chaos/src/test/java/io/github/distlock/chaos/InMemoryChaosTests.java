package io.github.distlock.chaos;

import java.util.List;

/**
 * The in-memory backend under the chaos harness: one worker JVM whose three engines (two threads each) share the
 * backend, as the engines of one application would. Faults that strike a whole JVM do not apply to it.
 */
class InMemoryChaosTests extends ChaosScenarios {

    @Override
    String backendName() {
        return "in-memory";
    }

    @Override
    void startServer() {
    }

    @Override
    void stopServer() {
    }

    @Override
    List<String> backendSpec() {
        return List.of("memory");
    }

    @Override
    int workerCount() {
        return 1;
    }

    @Override
    int enginesPerWorker() {
        return 3;
    }

}
