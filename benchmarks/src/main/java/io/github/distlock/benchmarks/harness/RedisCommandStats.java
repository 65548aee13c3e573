package io.github.distlock.benchmarks.harness;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Counts the commands Redis executed between a {@code CONFIG RESETSTAT} and an {@code INFO commandstats}. Redis
 * counts the commands a Lua script runs ({@code redis.call}) as well as the {@code EVALSHA} that ran it, so the
 * total is every command the server executed. Connection housekeeping (PING, HELLO, CLIENT, ...) and the
 * measurement's own commands are left out. Not thread-safe.
 */
public final class RedisCommandStats implements AutoCloseable {

    private static final Set<String> HOUSEKEEPING = Set.of("ping", "info", "echo", "hello", "select", "auth",
            "monitor", "readonly", "quit", "reset");

    private static final Set<String> HOUSEKEEPING_FAMILIES = Set.of("client", "config", "command", "cluster",
            "memory", "dbsize", "flushall");

    private final Jedis connection;

    /**
     * Connects to the server.
     * @param host the host
     * @param port the port
     */
    public RedisCommandStats(String host, int port) {
        this.connection = connect(host, port);
    }

    /**
     * Opens a measurement connection that announces nothing (no {@code CLIENT SETINFO}), so that it adds only the
     * commands it sends, and those are housekeeping.
     */
    static Jedis connect(String host, int port) {
        return new Jedis(new HostAndPort(host, port), DefaultJedisClientConfig.builder()
            .timeoutMillis(10_000)
            .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
            .build());
    }

    /**
     * Starts counting from zero.
     */
    public void reset() {
        this.connection.configResetStat();
    }

    /**
     * Returns the calls per command since {@link #reset()}, housekeeping left out.
     * @return calls by command name (subcommands as {@code name|sub})
     */
    public Map<String, Long> read() {
        String info = this.connection.info("commandstats");
        Map<String, Long> calls = new TreeMap<>();
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            int colon = line.indexOf(':');
            String command = line.substring("cmdstat_".length(), colon);
            if (isHousekeeping(command)) {
                continue;
            }
            String stats = line.substring(colon + 1);
            for (String stat : stats.split(",")) {
                if (stat.startsWith("calls=")) {
                    calls.put(command, Long.parseLong(stat.substring("calls=".length())));
                }
            }
        }
        return calls;
    }

    /**
     * Returns the CPU time the Redis server has used so far, system and user ({@code INFO cpu}).
     * @return microseconds of CPU
     */
    public double cpuMicros() {
        double seconds = 0;
        for (String line : this.connection.info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return seconds * 1e6;
    }

    /**
     * Returns whether a command is connection or measurement housekeeping rather than part of a lock protocol.
     * @param command the command name in lower case, subcommands as {@code name|sub}
     * @return whether to leave it out of the counts
     */
    public static boolean isHousekeeping(String command) {
        int bar = command.indexOf('|');
        String family = (bar < 0) ? command : command.substring(0, bar);
        return HOUSEKEEPING.contains(family) || HOUSEKEEPING_FAMILIES.contains(family);
    }

    @Override
    public void close() {
        this.connection.close();
    }

}
