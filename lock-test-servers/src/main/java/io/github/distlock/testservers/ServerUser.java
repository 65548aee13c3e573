package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a database server as an unprivileged operating-system user when the tests run as root (PostgreSQL refuses to
 * run as root): the command is prefixed with {@code setpriv}, which replaces itself with the server, so the
 * process the test starts and stops by its PID is the server itself.
 */
final class ServerUser {

    private ServerUser() {
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Returns the command to run as the given user, or unchanged when the tests do not run as root. */
    static List<String> as(String user, List<String> command) {
        if (!isRoot()) {
            return command;
        }
        Path setpriv = RedisBinary.findOnPath("setpriv")
            .orElseThrow(() -> new IllegalStateException("The tests run as root and need setpriv to start the "
                    + "database server as user '" + user + "': install util-linux (Debian: apt-get install -y "
                    + "util-linux)"));
        List<String> prefixed = new ArrayList<>(List.of(setpriv.toString(), "--reuid=" + user, "--regid=" + user,
                "--init-groups", "--"));
        prefixed.addAll(command);
        return prefixed;
    }

    /** Gives a directory tree to the user, when the tests run as root. */
    static void hand(Path directory, String user) {
        if (!isRoot()) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            UserPrincipalLookupService lookup = directory.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal owner = lookup.lookupPrincipalByName(user);
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
            for (Path path : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
                view.setOwner(owner);
                view.setGroup(group);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot give " + directory + " to OS user '" + user + "' (does it exist? "
                    + "Debian creates 'postgres' with the postgresql package)", ex);
        }
    }

}
