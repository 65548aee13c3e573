package io.github.distlock.testservers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper server (Curator's {@link TestingServer}, which runs ZooKeeper's own server code in this JVM) on a
 * free loopback port, with its data in a temporary folder that survives {@link #restart()}, so that a restart keeps
 * the nodes and the zxid history as a real ensemble restart with data kept would.
 *
 * <p>The tick is short (100 ms) so that sessions may be as short as 200 ms and expire promptly in tests; the
 * server's session-timeout bounds are therefore 2 to 20 ticks unless a test asks for others.
 *
 * <p>Not thread-safe: one test drives its server.
 */
public final class ZooKeeperServer implements AutoCloseable {

    /** The server's tick, which bounds negotiated session timeouts (2 to 20 ticks). */
    public static final int TICK_MILLIS = 100;

    private final TestingServer server;

    private final File dataDirectory;

    private ZooKeeperServer(TestingServer server, File dataDirectory) {
        this.server = server;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts a server on a free loopback port.
     * @param maxSessionTimeoutMillis the longest session timeout the server grants
     * @return the running server
     */
    public static ZooKeeperServer start(int maxSessionTimeoutMillis) {
        try {
            File dataDirectory = Files.createTempDirectory("distlock-zookeeper-").toFile();
            java.util.Map<String, Object> properties = new java.util.HashMap<>();
            properties.put("maxSessionTimeout", String.valueOf(maxSessionTimeoutMillis));
            properties.put("minSessionTimeout", String.valueOf(2 * TICK_MILLIS));
            InstanceSpec spec = new InstanceSpec(dataDirectory, FreePorts.next(), -1, -1, true, 1, TICK_MILLIS, 100,
                    properties, "127.0.0.1");
            return new ZooKeeperServer(new TestingServer(spec, true), dataDirectory);
        }
        catch (Exception ex) {
            throw new IllegalStateException("Could not start a ZooKeeper server", ex);
        }
    }

    /**
     * Returns the connect string of this server.
     * @return for example {@code 127.0.0.1:40123}
     */
    public String connectString() {
        return this.server.getConnectString();
    }

    /**
     * Returns the port the server listens on.
     * @return the loopback port
     */
    public int port() {
        return this.server.getPort();
    }

    /**
     * Stops the server, keeping its data.
     */
    public void stop() {
        try {
            this.server.stop();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Stops the server if it runs and starts it again on the same port with the same data.
     */
    public void restart() {
        try {
            this.server.restart();
        }
        catch (Exception ex) {
            throw new IllegalStateException("Could not restart the ZooKeeper server", ex);
        }
    }

    /**
     * Stops the server and deletes its data.
     */
    @Override
    public void close() {
        try {
            this.server.close();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        finally {
            LocalProcess.deleteRecursively(this.dataDirectory.toPath());
        }
    }

}
