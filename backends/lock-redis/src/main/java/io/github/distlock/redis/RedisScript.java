package io.github.distlock.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One Lua script, read once from its {@code .lua} resource and run by its SHA-1 with {@code EVALSHA}. When the
 * server does not know the script (after a restart, a failover, or on a cluster node that has not seen it yet) it
 * is sent once with {@code EVAL}, which also caches it there. Immutable and thread-safe.
 */
final class RedisScript {

    private final String name;

    private final String source;

    private final String sha1;

    private RedisScript(String name, String source, String sha1) {
        this.name = name;
        this.source = source;
        this.sha1 = sha1;
    }

    static RedisScript load(String resourceName) {
        return of(resourceName, read(resourceName));
    }

    /**
     * Loads a script that runs another script's body as a local function {@code name(KEYS, ARGV)} inside its own
     * atomic call, so that a rule written once in one script serves both.
     * @param resourceName the calling script
     * @param functionName the name the calling script knows the other one by
     * @param functionResourceName the script run as that function
     * @return the composed script
     */
    static RedisScript loadCalling(String resourceName, String functionName, String functionResourceName) {
        String source = "local function " + functionName + "(KEYS, ARGV)\n" + read(functionResourceName) + "\nend\n"
                + read(resourceName);
        return of(resourceName, source);
    }

    private static RedisScript of(String name, String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new RedisScript(name, source, HexFormat.of().formatHex(digest));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-1 is not available", ex);
        }
    }

    private static String read(String resourceName) {
        try (InputStream in = RedisScript.class.getResourceAsStream(resourceName)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resourceName + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read Lua script " + resourceName, ex);
        }
    }

    /**
     * Runs the script on one connection, sending its source once when the server does not know it.
     * @param connection the connection, borrowed for this call
     * @param keys the script's keys (all in one hash slot)
     * @param arguments its arguments
     * @return the raw reply: a {@link Long} or a list of them for the lock scripts
     */
    Object run(Connection connection, String[] keys, String... arguments) {
        try {
            return connection.executeCommand(command(Protocol.Command.EVALSHA, this.sha1, keys, arguments));
        }
        catch (JedisDataException ex) {
            if (ex.getMessage() == null || !ex.getMessage().startsWith("NOSCRIPT")) {
                throw ex;
            }
            return connection.executeCommand(command(Protocol.Command.EVAL, this.source, keys, arguments));
        }
    }

    private static CommandArguments command(Protocol.Command command, String script, String[] keys,
            String[] arguments) {
        CommandArguments args = new CommandArguments(command).add(script).add(keys.length);
        for (String key : keys) {
            args.key(key);
        }
        return args.addObjects((Object[]) arguments);
    }

    String sha1() {
        return this.sha1;
    }

    @Override
    public String toString() {
        return this.name + " (" + this.sha1 + ")";
    }

}
