package io.github.distlock.benchmarks.contenders;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The contenders by name, with the factory the contender process uses.
 */
public enum Contenders {

    /** This project: the Redis backend under {@code LockEngine}, fencing tokens and release notification included. */
    DISTLOCK("distlock", "distlock (this project)"),

    /**
     * This project's Redlock backend under {@code LockEngine} on 3 independent local masters: the harness's server
     * and two the contender starts; commands are counted on the harness's server only.
     */
    REDLOCK_3("redlock-3", "distlock Redlock, 3 local masters (commands of one master)"),

    /** The same on 5 local masters. */
    REDLOCK_5("redlock-5", "distlock Redlock, 5 local masters (commands of one master)"),

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
    LOCK4J("lock4j", "lock4j LockTemplate (RedisTemplate)"),

    /** This project's JDBC backend on PostgreSQL, {@code NOTIFY} included; not part of the Redis ratios. */
    DISTLOCK_JDBC("distlock-jdbc", "distlock JDBC backend (PostgreSQL)"),

    /**
     * An upsert that takes a free or expired row and an owner-checked {@code DELETE}, polling every millisecond:
     * the floor of the PostgreSQL contenders.
     */
    PG_FLOOR("pg-floor", "PostgreSQL floor: upsert + owner-checked DELETE"),

    /** ShedLock's {@code JdbcTemplateLockProvider} ({@code usingDbTime()}), which never waits: polled every ms. */
    PG_SHEDLOCK("pg-shedlock", "ShedLock JdbcTemplateLockProvider (polled)"),

    /** Spring Integration {@code JdbcLockRegistry} over {@code DefaultLockRepository}. */
    PG_SPRING_INTEGRATION("pg-si", "Spring Integration JdbcLockRegistry");

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
     * Returns whether this contender locks in PostgreSQL rather than Redis.
     * @return whether it needs the PostgreSQL server
     */
    public boolean usesPostgres() {
        return this == DISTLOCK_JDBC || this == PG_FLOOR || this == PG_SHEDLOCK || this == PG_SPRING_INTEGRATION;
    }

    /**
     * Returns the floor this contender's ratios are taken to: the one that locks in the same server.
     * @return {@link #FLOOR} or {@link #PG_FLOOR}
     */
    public Contenders floor() {
        return usesPostgres() ? PG_FLOOR : FLOOR;
    }

    /**
     * Returns whether this contender is one of the two floors.
     * @return whether it is a floor
     */
    public boolean isFloor() {
        return this == FLOOR || this == PG_FLOOR;
    }

    /**
     * Sets the contender up against its server.
     * @param host the Redis host
     * @param port the Redis port
     * @param jdbcUrl the PostgreSQL URL, for the contenders that {@link #usesPostgres() use it}
     * @return the contender
     */
    public LockContender create(String host, int port, @Nullable String jdbcUrl) {
        if (usesPostgres() && jdbcUrl == null) {
            throw new IllegalArgumentException(this.id + " needs a PostgreSQL JDBC URL");
        }
        return switch (this) {
            case DISTLOCK_JDBC -> new DistlockJdbcContender(jdbcUrl);
            case PG_FLOOR -> new PostgresFloorContender(jdbcUrl);
            case PG_SHEDLOCK -> new ShedLockJdbcContender(jdbcUrl);
            case PG_SPRING_INTEGRATION -> new SpringIntegrationJdbcContender(jdbcUrl);
            case DISTLOCK -> new DistlockContender(host, port);
            case REDLOCK_3 -> new RedlockContender(host, port, 3);
            case REDLOCK_5 -> new RedlockContender(host, port, 5);
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
     * Returns every contender: the Redis ones (the floor and this project first), then the PostgreSQL ones.
     * @return all contenders
     */
    public static List<Contenders> all() {
        return Arrays.asList(values());
    }

    /**
     * Returns the contenders that lock in Redis, compared with each other and with the floor.
     * @return the Redis contenders
     */
    public static List<Contenders> redis() {
        return Arrays.stream(values()).filter(contender -> !contender.usesPostgres()).toList();
    }

    /**
     * Returns the contenders that lock in PostgreSQL, compared with each other and with their floor.
     * @return the PostgreSQL contenders
     */
    public static List<Contenders> postgres() {
        return Arrays.stream(values()).filter(Contenders::usesPostgres).toList();
    }

}
