package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds loopback ports that are free now, for the servers the tests start. The ports come from below the kernel's
 * ephemeral range: a port from inside it (what binding port 0 returns) can be taken, between the check and the
 * server's start, as the local port of any outgoing connection of any process, which the tests open by the
 * thousand; below the range only another server can take it. A JVM never hands out the same port twice.
 *
 * <p>Thread-safe.
 */
public final class FreePorts {

    /** The lowest port handed out: above the well-known and most registered services' ports. */
    private static final int LOWEST = 10000;

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /**
     * Returns a port that is free on 127.0.0.1 at the moment of the call.
     * @return the port
     */
    public static int next() {
        int highest = ephemeralRangeStart() - 1;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200 && highest > LOWEST; attempt++) {
            int port = random.nextInt(LOWEST, highest + 1);
            if (HANDED_OUT.add(port) && bindable(port)) {
                return port;
            }
        }
        // No port below the range was free: one from inside it is still better than none.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("No free loopback port", ex);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    // Linux says where its ephemeral ports begin; elsewhere IANA's dynamic range (49152) is assumed.
    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        }
        catch (IOException | RuntimeException ex) {
            return 49152;
        }
    }

}
