package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Finds loopback ports that are free now. A server started on one may still lose a race with another process,
 * so launchers retry with a new port when a start fails.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * Returns a port that is free on 127.0.0.1 at the moment of the call.
     * @return the port
     */
    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("No free loopback port", ex);
        }
    }

}
