package io.github.distlock.testservers;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a Docker engine can be used by Testcontainers. Asks Testcontainers only when it is on the classpath and
 * a Docker endpoint is configured or its socket exists, so that machines without Docker answer at once.
 */
final class DockerEngine {

    private DockerEngine() {
    }

    static boolean isAvailable() {
        boolean endpoint = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
        if (!endpoint) {
            return false;
        }
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, DockerEngine.class.getClassLoader());
        }
        catch (ClassNotFoundException ex) {
            return false;
        }
        return TestcontainersProbe.dockerAvailable();
    }

    /** Isolated so that Testcontainers classes load only when the library is present. */
    private static final class TestcontainersProbe {

        static boolean dockerAvailable() {
            try {
                return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            }
            catch (RuntimeException ex) {
                return false;
            }
        }

    }

}
