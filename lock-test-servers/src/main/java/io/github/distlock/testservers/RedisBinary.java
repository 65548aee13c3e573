package io.github.distlock.testservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Decides where a test's Redis server comes from: the {@code redis-server} on the {@code PATH} first, then the
 * Linux binary shipped inside the embedded-redis jar when that jar is on the classpath, then a container where a
 * Docker engine answers. With none of them the test fails and says what to install; it never skips.
 */
public final class RedisBinary {

    /** The binary the embedded-redis 1.4.x jar ships for Linux on x86-64. */
    static final String EMBEDDED_LINUX_AMD64 = "redis-server-6.2.6-v5-linux-amd64";

    private static @Nullable Path extracted;

    private RedisBinary() {
    }

    /** Where a Redis server comes from. */
    public enum Source {

        /** The {@code redis-server} found on the {@code PATH}. */
        INSTALLED,

        /** The binary inside the embedded-redis jar. */
        EMBEDDED_JAR,

        /** A Redis container (Testcontainers). */
        CONTAINER

    }

    /**
     * The decision, as a pure function of what is available, so that it can be tested on any machine.
     * @param installed the {@code redis-server} on the {@code PATH}, if any
     * @param embeddedBinaryOnClasspath whether the embedded-redis jar with a binary for this platform is present
     * @param dockerAvailable whether a Docker engine answers
     * @return the source to use
     * @throws IllegalStateException naming what to install when nothing is available
     */
    public static Source choose(Optional<Path> installed, boolean embeddedBinaryOnClasspath, boolean dockerAvailable) {
        if (installed.isPresent()) {
            return Source.INSTALLED;
        }
        if (embeddedBinaryOnClasspath) {
            return Source.EMBEDDED_JAR;
        }
        if (dockerAvailable) {
            return Source.CONTAINER;
        }
        throw new IllegalStateException("No Redis server for the tests: install one (Debian: apt-get install -y "
                + "redis-server), or put com.github.codemonstur:embedded-redis on the test classpath, or start a "
                + "Docker engine");
    }

    /**
     * Detects the source on this machine.
     * @return the source to use
     */
    public static Source detect() {
        return choose(findOnPath("redis-server"), embeddedBinaryPresent(), DockerEngine.isAvailable());
    }

    /**
     * Returns the path of a local binary for the detected source.
     * @return the executable
     * @throws IllegalStateException when the detected source is a container
     */
    public static Path executable() {
        Source source = detect();
        switch (source) {
            case INSTALLED:
                return findOnPath("redis-server").orElseThrow();
            case EMBEDDED_JAR:
                return extractEmbedded();
            default:
                throw new IllegalStateException("Redis runs in a container here; no local binary");
        }
    }

    /**
     * Finds an executable on the {@code PATH}.
     * @param name the executable's name
     * @return its path, if found
     */
    public static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static boolean embeddedBinaryPresent() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean linuxAmd64 = os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
        return linuxAmd64 && RedisBinary.class.getClassLoader().getResource(EMBEDDED_LINUX_AMD64) != null;
    }

    static synchronized Path extractEmbedded() {
        if (extracted != null) {
            return extracted;
        }
        try (InputStream binary = RedisBinary.class.getClassLoader().getResourceAsStream(EMBEDDED_LINUX_AMD64)) {
            if (binary == null) {
                throw new IllegalStateException("embedded-redis binary " + EMBEDDED_LINUX_AMD64 + " not found");
            }
            Path directory = Files.createTempDirectory("distlock-redis-bin");
            Path target = directory.resolve("redis-server");
            Files.copy(binary, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
            target.toFile().deleteOnExit();
            directory.toFile().deleteOnExit();
            extracted = target;
            return target;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot extract the embedded Redis binary", ex);
        }
    }

}
