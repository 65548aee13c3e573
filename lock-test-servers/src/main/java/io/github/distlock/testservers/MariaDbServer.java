package io.github.distlock.testservers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real MariaDB server for one test class: a fresh data directory ({@code mariadb-install-db}, with grant tables,
 * so that tests can create least-privilege users) in a temporary directory, listening on a free loopback port with
 * its own socket, from the installed {@code mariadbd} (Debian: {@code mariadb-server}). It never touches a server the
 * machine already runs. The user {@code root} has an empty password.
 *
 * <p>InnoDB flushes its log once a second instead of at every commit, for speed; a killed server process loses
 * nothing that reached the operating system. Where no binaries exist the start fails and says what to install; it
 * never skips.
 *
 * <p>Not thread-safe: one test class drives it.
 */
public final class MariaDbServer extends DatabaseServer {

    /** The administrative user; its password is empty. */
    public static final String ROOT_USER = "root";

    private final Path server;

    private MariaDbServer(Path server, Path directory) {
        super("MariaDB", directory, Duration.ofSeconds(60), "TERM", Duration.ofSeconds(15));
        this.server = server;
    }

    /**
     * Creates a data directory and starts a server on a free port.
     * @return the running server
     * @throws IllegalStateException if MariaDB is not installed, naming the package to install
     */
    public static MariaDbServer start() {
        Path server = executable("mariadbd", List.of("/usr/sbin/mariadbd", "/usr/libexec/mariadbd"));
        Path installDb = executable("mariadb-install-db", List.of("/usr/bin/mariadb-install-db"));
        return startIn("distlock-mariadb-", directory -> {
            MariaDbServer started = new MariaDbServer(server, directory);
            List<String> install = new ArrayList<>(List.of(installDb.toString(), "--no-defaults",
                    "--datadir=" + started.dataDirectory(), "--auth-root-authentication-method=normal",
                    "--skip-test-db"));
            if (ServerUser.isRoot()) {
                install.add("--user=root");
            }
            LocalProcess.run(install, directory, "install-db.log", started.startupTimeout());
            return started;
        });
    }

    /**
     * Returns a JDBC URL for a database (schema) of this server, for the MariaDB driver.
     * @param database the database; {@code ""} for none
     * @return the URL
     */
    @Override
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port() + "/" + database;
    }

    @Override
    List<String> serverCommand() {
        List<String> command = new ArrayList<>(List.of(this.server.toString(), "--no-defaults",
                "--datadir=" + dataDirectory(), "--port=" + port(), "--bind-address=127.0.0.1",
                "--socket=" + directory().resolve("mariadb.sock"), "--pid-file=" + directory().resolve("mariadb.pid"),
                "--skip-log-bin", "--skip-name-resolve", "--character-set-server=utf8mb4",
                "--innodb-flush-log-at-trx-commit=2", "--innodb-buffer-pool-size=64M", "--max-connections=200"));
        if (ServerUser.isRoot()) {
            command.add("--user=root");
        }
        return command;
    }

    /** The server opens its port when it is ready and greets every connection with a handshake packet. */
    @Override
    boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port()), 1000);
            socket.setSoTimeout(1000);
            return socket.getInputStream().read() >= 0;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static Path executable(String name, List<String> candidates) {
        Optional<Path> onPath = RedisBinary.findOnPath(name);
        if (onPath.isPresent()) {
            return onPath.get();
        }
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        throw new IllegalStateException("No " + name + " for the MariaDB tests: install MariaDB (Debian: apt-get "
                + "install -y mariadb-server; the tests start their own server and leave a running one alone)");
    }

}
