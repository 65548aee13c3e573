package io.github.distlock.benchmarks.contenders;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The contenders by name, with the factory the contender process uses.
 */
public enum Contenders {

    /** This project: the Redis backend under {@code LockEngine}, fencing tokens and release notification included. */
    DISTLOCK("distlock", "distlock (this project)"),

    /** {@code SET NX PX} and a Lua compare-and-delete over Jedis, polling every millisecond: the floor. */
    FLOOR("floor", "floor: Jedis SET NX PX + Lua delete"),

    /** Redisson {@code RLock} with its watchdog. */
    REDISSON("redisson", "Redisson RLock"),

    /** Spring Integration {@code RedisLockRegistry}, spin lock (its default). */
    SPRING_INTEGRATION_SPIN("si-spin", "Spring Integration RedisLockRegistry (spin)"),

    /** Spring Integration {@code RedisLockRegistry}, pub-sub lock. */
    SPRING_INTEGRATION_PUBSUB("si-pubsub", "Spring Integration RedisLockRegistry (pub-sub)"),

    /** ShedLock's Spring Data Redis provider, which never waits: polled every millisecond. */
    SHEDLOCK("shedlock", "ShedLock RedisLockProvider (polled)"),

    /** lock4j's {@code LockTemplate} with its RedisTemplate executor. */
    LOCK4J("lock4j", "lock4j LockTemplate (RedisTemplate)");

    private final String id;

    private final String title;

    Contenders(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /**
     * Returns the short name used on command lines and in result files.
     * @return the id
     */
    public String id() {
        return this.id;
    }

    /**
     * Returns the name shown in reports.
     * @return the title
     */
    public String title() {
        return this.title;
    }

    /**
     * Sets the contender up against a Redis server.
     * @param host the Redis host
     * @param port the Redis port
     * @return the contender
     */
    public LockContender create(String host, int port) {
        return switch (this) {
            case DISTLOCK -> new DistlockContender(host, port);
            case FLOOR -> new FloorContender(host, port);
            case REDISSON -> new RedissonContender(host, port);
            case SPRING_INTEGRATION_SPIN -> new SpringIntegrationContender(host, port, false);
            case SPRING_INTEGRATION_PUBSUB -> new SpringIntegrationContender(host, port, true);
            case SHEDLOCK -> new ShedLockContender(host, port);
            case LOCK4J -> new Lock4jContender(host, port);
        };
    }

    /**
     * Finds a contender by its id.
     * @param id the id, for example {@code redisson}
     * @return the contender
     * @throws IllegalArgumentException naming the known ids
     */
    public static Contenders byId(String id) {
        for (Contenders contender : values()) {
            if (contender.id.equals(id.toLowerCase(Locale.ROOT))) {
                return contender;
            }
        }
        throw new IllegalArgumentException("Unknown contender '" + id + "'; known: " + ids(List.of(values())));
    }

    /**
     * Returns the ids of the given contenders.
     * @param contenders the contenders
     * @return their ids
     */
    public static List<String> ids(List<Contenders> contenders) {
        return contenders.stream().map(Contenders::id).toList();
    }

    /**
     * Returns every contender, the floor and this project first.
     * @return all contenders
     */
    public static List<Contenders> all() {
        return Arrays.asList(values());
    }

}
