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
public final class PostgresServer extends DatabaseServer {

    /** The superuser the cluster is created with; any password is accepted. */
    public static final String SUPERUSER = "postgres";

    private static final String OS_USER = "postgres";

    private final Path binaries;

    private PostgresServer(Path binaries, Path directory) {
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended.
        super("PostgreSQL", directory, Duration.ofSeconds(30), "INT", Duration.ofSeconds(10));
        this.binaries = binaries;
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
        return startIn("distlock-postgres-", directory -> {
            PostgresServer server = new PostgresServer(binaries, directory);
            try {
                Files.createDirectories(server.dataDirectory());
                Files.createDirectories(server.socketDirectory());
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            ServerUser.hand(directory, OS_USER);
            LocalProcess.run(ServerUser.as(OS_USER, List.of(binaries.resolve("initdb").toString(), "-D",
                    server.dataDirectory().toString(), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C",
                    "--no-sync")), directory, "initdb.log", server.startupTimeout());
            if (requirePasswords) {
                server.requirePasswords();
            }
            return server;
        });
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

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /**
     * Returns a JDBC URL for the {@code postgres} database.
     * @return the URL
     */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    @Override
    List<String> serverCommand() {
        return ServerUser.as(OS_USER, List.of(this.binaries.resolve("postgres").toString(), "-D",
                dataDirectory().toString(), "-p", Integer.toString(port()), "-k", socketDirectory().toString(), "-c",
                "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c",
                "max_connections=200", "-c", "shared_buffers=32MB"));
    }

    @Override
    boolean answers() {
        return LocalProcess.exitsWithZero(List.of(this.binaries.resolve("pg_isready").toString(), "-q", "-h",
                "127.0.0.1", "-p", Integer.toString(port()), "-U", SUPERUSER));
    }

    // Right after a kill, the old backends may still hold the shared memory for a moment: the next start succeeds.
    @Override
    boolean restartsAfterEarlyExit() {
        return true;
    }

    private Path socketDirectory() {
        return directory().resolve("socket");
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

}
