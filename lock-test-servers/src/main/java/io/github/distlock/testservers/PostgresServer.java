package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server for one test class: a fresh cluster ({@code initdb}, trust authentication unless
 * {@link #startRequiringPasswords()} asks for passwords, UTF-8, C locale) in a temporary directory, listening on a
 * free loopback port, from the installed server binaries
 * (Debian's {@code postgresql} package puts them in {@code /usr/lib/postgresql/<version>/bin}). When the tests run as
 * root, the server runs as the {@code postgres} OS user, which PostgreSQL requires. The test can kill it (a crash:
 * SIGKILL of the postmaster) and restart it on the same data directory, which then runs crash recovery.
 *
 * <p>{@code fsync} is off for speed: a killed server process loses nothing that the operating system received, which
 * is all the tests simulate. Where no binaries exist the start fails and says what to install; it never skips.
 *
 * <p>Not thread-safe: one test class drives it.
 */
public final class PostgresServer implements AutoCloseable {

    /** The superuser the cluster is created with; any password is accepted. */
    public static final String SUPERUSER = "postgres";

    private static final String OS_USER = "postgres";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final Path binaries;

    private final Path directory;

    private final int port;

    private @Nullable LocalProcess process;

    private PostgresServer(Path binaries, Path directory, int port) {
        this.binaries = binaries;
        this.directory = directory;
        this.port = port;
    }

    /**
     * Creates a cluster and starts its server on a free port; every user logs in without a password.
     * @return the running server
     * @throws IllegalStateException if no PostgreSQL binaries are installed, naming the package to install
     */
    public static PostgresServer start() {
        return start(false);
    }

    /**
     * Creates a cluster whose server refuses a wrong password (SCRAM) for every user but {@link #SUPERUSER}, which
     * still logs in without one, and starts it on a free port: for tests of wrong credentials.
     * @return the running server
     * @throws IllegalStateException if no PostgreSQL binaries are installed, naming the package to install
     */
    public static PostgresServer startRequiringPasswords() {
        return start(true);
    }

    private static PostgresServer start(boolean requirePasswords) {
        Path binaries = binaries();
        Path directory;
        try {
            directory = Files.createTempDirectory("distlock-postgres-");
            Files.createDirectories(directory.resolve("data"));
            Files.createDirectories(directory.resolve("socket"));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        try {
            ServerUser.hand(directory, OS_USER);
            PostgresServer server = new PostgresServer(binaries, directory, FreePorts.next());
            LocalProcess.run(ServerUser.as(OS_USER, List.of(binaries.resolve("initdb").toString(), "-D",
                    server.dataDirectory().toString(), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C",
                    "--no-sync")), directory, "initdb.log", STARTUP_TIMEOUT);
            if (requirePasswords) {
                server.requirePasswords();
            }
            server.launch();
            return server;
        }
        catch (RuntimeException ex) {
            LocalProcess.deleteRecursively(directory);
            throw ex;
        }
    }

    /**
     * Returns the directory of the PostgreSQL server binaries on this machine.
     * @return the directory holding {@code initdb} and {@code postgres}
     * @throws IllegalStateException if there is none, naming the package to install
     */
    public static Path binaries() {
        // Symbolic links on the PATH (such as /usr/local/bin/initdb) lead to the directory with the other binaries.
        Optional<Path> onPath = RedisBinary.findOnPath("initdb").map(PostgresServer::realPath).map(Path::getParent);
        if (onPath.isPresent() && Files.isExecutable(onPath.get().resolve("postgres"))) {
            return onPath.get();
        }
        for (String root : List.of("/usr/lib/postgresql", "/usr/local/pgsql")) {
            Optional<Path> found = newestVersionBin(Path.of(root));
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new IllegalStateException("No PostgreSQL server binaries (initdb, postgres) for the tests: install them "
                + "(Debian: apt-get install -y postgresql; they land in /usr/lib/postgresql/<version>/bin) or put "
                + "their directory on the PATH");
    }

    /**
     * Returns a JDBC URL for a database of this server.
     * @param database the database, for example {@code postgres}
     * @return the URL
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
    }

    /**
     * Returns a JDBC URL for the {@code postgres} database.
     * @return the URL
     */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /**
     * Returns the port.
     * @return the port
     */
    public int port() {
        return this.port;
    }

    /**
     * Returns the PID of the postmaster.
     * @return the PID
     */
    public long pid() {
        return running().pid();
    }

    /**
     * Kills the postmaster with SIGKILL, as a crash; its backends exit when they notice.
     */
    public void kill() {
        if (this.process != null) {
            this.process.kill();
            this.process = null;
        }
    }

    /**
     * Starts the server again on the same port and data directory (after {@link #kill()} it runs crash recovery).
     */
    public void restart() {
        if (this.process != null) {
            this.process.stop("INT", SHUTDOWN_GRACE);
            this.process = null;
        }
        launch();
    }

    /**
     * Stops the server (fast shutdown: open sessions are ended) and deletes its directory.
     */
    @Override
    public void close() {
        if (this.process != null) {
            this.process.stop("INT", SHUTDOWN_GRACE);
            this.process = null;
        }
        LocalProcess.deleteRecursively(this.directory);
    }

    private Path dataDirectory() {
        return this.directory.resolve("data");
    }

    /** Rewrites the file initdb wrote (keeping its owner), before the server first reads it. */
    private void requirePasswords() {
        try {
            Files.writeString(dataDirectory().resolve("pg_hba.conf"), String.join("\n",
                    "local all all trust",
                    "host all " + SUPERUSER + " 127.0.0.1/32 trust",
                    "host all all 127.0.0.1/32 scram-sha-256", ""));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private LocalProcess running() {
        if (this.process == null) {
            throw new IllegalStateException("PostgreSQL on port " + this.port + " is not running");
        }
        return this.process;
    }

    private void launch() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        List<String> command = ServerUser.as(OS_USER, List.of(this.binaries.resolve("postgres").toString(), "-D",
                dataDirectory().toString(), "-p", Integer.toString(this.port), "-k",
                this.directory.resolve("socket").toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=32MB"));
        while (true) {
            LocalProcess started = LocalProcess.start(command, this.directory, "postgres-" + this.port + ".log");
            if (awaitReady(started, deadline)) {
                this.process = started;
                return;
            }
            // Right after a kill, the old backends may still hold the shared memory for a moment: try again.
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("PostgreSQL on port " + this.port + " did not start within "
                        + STARTUP_TIMEOUT + ":\n" + started.logTail());
            }
            pause(Duration.ofMillis(200));
        }
    }

    private boolean awaitReady(LocalProcess started, long deadline) {
        List<String> probe = List.of(this.binaries.resolve("pg_isready").toString(), "-q", "-h", "127.0.0.1", "-p",
                Integer.toString(this.port), "-U", SUPERUSER);
        while (System.nanoTime() - deadline < 0) {
            if (!started.isAlive()) {
                return false;
            }
            if (exitsWithZero(probe)) {
                return true;
            }
            pause(Duration.ofMillis(50));
        }
        started.kill();
        return false;
    }

    private static boolean exitsWithZero(List<String> command) {
        try {
            Process check = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            return check.waitFor() == 0;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        }
        catch (IOException ex) {
            return path;
        }
    }

    private static Optional<Path> newestVersionBin(Path root) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        if (Files.isExecutable(root.resolve("bin").resolve("initdb"))) {
            return Optional.of(root.resolve("bin"));
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(version -> version.resolve("bin"))
                .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("postgres")))
                .max(Comparator.comparingInt(PostgresServer::majorVersion));
        }
        catch (IOException ex) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D.*$", ""));
        }
        catch (NumberFormatException ex) {
            return 0;
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
