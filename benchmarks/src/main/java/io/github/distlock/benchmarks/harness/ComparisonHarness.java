package io.github.distlock.benchmarks.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import javax.sql.DataSource;

import io.github.distlock.benchmarks.contenders.Contenders;
import io.github.distlock.benchmarks.contenders.PostgresTables;
import io.github.distlock.benchmarks.harness.ComparisonResult.JdbcScaleResult;
import io.github.distlock.benchmarks.harness.ComparisonResult.ScaleResult;
import io.github.distlock.benchmarks.harness.ComparisonResult.TransactionCensus;
import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.testservers.PostgresServer;
import io.github.distlock.testservers.RedisServer;

import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import redis.clients.jedis.Jedis;

/**
 * Runs the comparison: starts one {@code redis-server} on a free loopback port and one JVM per contender, then runs
 * the scenarios in rounds. In each round every scenario runs once per contender, one contender at a time, in an
 * order rotated from round to round, so a disturbance on the machine hits all contenders alike; medians over the
 * rounds and ratios to the floor come from the same run. Redis commands are counted around every measured pass;
 * a MONITOR census per contender then tells the commands clients sent from those scripts ran. Finally the scale
 * scenario locks many distinct keys with this project's backend and watches Redis's memory return to its baseline.
 * The PostgreSQL contenders (when any is selected) run the same rounds against one PostgreSQL server; after the rounds
 * a transaction census per contender counts the server's transactions per operation in a database of its own.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class ComparisonHarness {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private static final Duration RUN_SLACK = Duration.ofSeconds(90);

    private static final Duration KEYS_BACK_TIMEOUT = Duration.ofSeconds(90);

    // How long each buyer of the flash sale waits at most: far more than the whole queue takes.
    private static final Duration FLASH_SALE_WAIT = Duration.ofSeconds(120);

    // The threads of the instances scenario's one measured node.
    private static final int INSTANCE_THREADS = 4;

    // The database of the transaction census: only the census's own nodes connect to it.
    private static final String CENSUS_DATABASE = "bench_census";

    // How long the census waits for the server processes of closed nodes to end (and so report their transactions).
    private static final Duration BACKENDS_GONE_TIMEOUT = Duration.ofSeconds(15);

    private final HarnessSettings settings;

    private final Path workDirectory;

    private final Consumer<String> progress;

    /**
     * Creates a harness.
     * @param settings what to run
     * @param workDirectory where the contender logs go
     * @param progress told one line per step
     */
    public ComparisonHarness(HarnessSettings settings, Path workDirectory, Consumer<String> progress) {
        this.settings = settings;
        this.workDirectory = workDirectory;
        this.progress = progress;
    }

    /**
     * Runs the comparison.
     * @return what it measured
     */
    public ComparisonResult run() {
        ComparisonResult result = new ComparisonResult(this.settings);
        try {
            Files.createDirectories(this.workDirectory);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        boolean jdbc = this.settings.contenders().stream().anyMatch(Contenders::usesPostgres);
        try (RedisServer redis = RedisServer.start(); ServerHandle postgres = jdbc ? startPostgres(result) : null) {
            result.putEnvironment("redis", redisVersion(redis));
            List<String> jdbcUrls = (postgres != null)
                    ? List.of(postgres.server().jdbcUrl(), postgres.server().jdbcUrl(CENSUS_DATABASE)) : null;
            Map<Contenders, ContenderProcess> processes = startAll(redis.port(), jdbcUrls, result);
            try {
                for (int round = 0; round < this.settings.rounds(); round++) {
                    List<ContenderProcess> order = rotate(new ArrayList<>(processes.values()), round);
                    this.progress.accept("round " + (round + 1) + "/" + this.settings.rounds() + ": "
                            + order.stream().map(p -> p.contender().id()).toList());
                    for (Scenario scenario : Scenario.values()) {
                        for (ContenderProcess process : order) {
                            measure(process, scenario, result);
                        }
                    }
                }
                for (ContenderProcess process : processes.values()) {
                    if (!process.contender().usesPostgres()) {
                        census(redis, process, Scenario.ONE_THREAD, result);
                        census(redis, process, Scenario.CONTENDED, result);
                    }
                    else if (postgres != null) {
                        transactionCensus(postgres, process, Scenario.ONE_THREAD, result);
                        transactionCensus(postgres, process, Scenario.CONTENDED, result);
                    }
                }
                ContenderProcess distlock = processes.get(Contenders.DISTLOCK);
                if (this.settings.scaleKeys() > 0 && distlock != null) {
                    scale(redis, distlock, result);
                }
                ContenderProcess distlockJdbc = processes.get(Contenders.DISTLOCK_JDBC);
                if (this.settings.jdbcScaleKeys() > 0 && distlockJdbc != null && postgres != null) {
                    jdbcScale(postgres, distlockJdbc, result);
                }
                for (ContenderProcess process : processes.values()) {
                    if (!process.contender().usesPostgres()) {
                        flashSale(process, result);
                    }
                }
                // Last: the other instances it opens stay open in each contender's JVM.
                for (ContenderProcess process : processes.values()) {
                    if (!process.contender().usesPostgres()) {
                        instances(process, result);
                    }
                }
            }
            finally {
                processes.values().forEach(ContenderProcess::close);
            }
        }
        return result;
    }

    private Map<Contenders, ContenderProcess> startAll(int port, @Nullable List<String> jdbcUrls,
            ComparisonResult result) {
        Map<Contenders, ContenderProcess> started = new LinkedHashMap<>();
        for (Contenders contender : this.settings.contenders()) {
            if (contender.usesPostgres() && jdbcUrls == null) {
                continue;
            }
            started.put(contender, ContenderProcess.start(contender, port, contender.usesPostgres() ? jdbcUrls : null,
                    this.settings.jvmOptions(), this.workDirectory.resolve(contender.id() + ".log")));
        }
        Map<Contenders, ContenderProcess> ready = new LinkedHashMap<>();
        started.forEach((contender, process) -> {
            try {
                process.awaitReady(START_TIMEOUT);
                ready.put(contender, process);
            }
            catch (IllegalStateException ex) {
                result.addFailure(ex.getMessage());
                this.progress.accept("FAILED: " + ex.getMessage());
                process.close();
            }
        });
        this.progress.accept("contender JVMs ready: " + Contenders.ids(List.copyOf(ready.keySet())));
        return ready;
    }

    private void measure(ContenderProcess process, Scenario scenario, ComparisonResult result) {
        HarnessSettings s = this.settings;
        String command = switch (scenario) {
            case ONE_THREAD -> uncontended(1, s.warmup(), s.measure(), true);
            case MANY_THREADS -> uncontended(s.manyThreads(), s.warmup(), s.measure(), true);
            case CONTENDED -> contended(s.contendedWarmup(), s.contendedMeasure(), true);
        };
        Duration timeout = ((scenario == Scenario.CONTENDED) ? s.contendedWarmup().plus(s.contendedMeasure())
                : s.warmup().plus(s.measure())).plus(RUN_SLACK);
        try {
            Fields pass = process.run(command, timeout);
            result.addPass(scenario, process.contender(), pass);
            this.progress.accept(String.format("  %-10s %-24s %,12.0f %s", process.contender().id(), scenario.title(),
                    scenario.rate(pass), scenario.unit()));
        }
        catch (IllegalStateException ex) {
            result.addFailure(scenario.title() + ": " + ex.getMessage());
            this.progress.accept("FAILED: " + ex.getMessage());
        }
    }

    private void flashSale(ContenderProcess process, ComparisonResult result) {
        HarnessSettings s = this.settings;
        try {
            Fields pass = process.run("flash-sale " + s.nodes() + " " + s.flashSaleThreads() + " "
                    + FLASH_SALE_WAIT.toMillis(), FLASH_SALE_WAIT.plus(RUN_SLACK).plus(Duration.ofSeconds(30)));
            result.setFlashSale(process.contender(), pass);
            this.progress.accept(String.format(
                    "  %-10s flash sale: %d grants in %.2f s, %d time-outs, wait p99 %.1f ms", process.contender().id(), pass.getLong("grants"), pass.getLong("nanos") / 1e9,
                    pass.getLong("timeouts"), pass.getLong("waitP99") / 1e6));
        }
        catch (IllegalStateException ex) {
            result.addFailure("flash sale: " + ex.getMessage());
            this.progress.accept("FAILED: " + ex.getMessage());
        }
    }

    private void instances(ContenderProcess process, ComparisonResult result) {
        HarnessSettings s = this.settings;
        for (int others : s.otherInstanceCounts()) {
            try {
                Fields pass = process.run("instances " + others + " " + INSTANCE_THREADS + " " + s.warmup().toMillis()
                        + " " + s.measure().toMillis(), s.warmup().plus(s.measure()).plus(RUN_SLACK)
                                .plus(Duration.ofSeconds(others)));
                result.addInstancesPass(process.contender(), pass);
                this.progress.accept(String.format(
                        "  %-10s %2d other instances %,12.0f lock+unlock/s, Redis CPU %.1f us/op",
                        process.contender().id(), others, Scenario.ONE_THREAD.rate(pass),
                        pass.getLong("redisCpuMicros") / (double) Math.max(1, pass.getLong("ops"))));
            }
            catch (IllegalStateException ex) {
                result.addFailure("instances (" + others + " others): " + ex.getMessage());
                this.progress.accept("FAILED: " + ex.getMessage());
                return;
            }
        }
    }

    private void census(RedisServer redis, ContenderProcess process, Scenario scenario, ComparisonResult result) {
        Duration length = this.settings.census();
        String command = (scenario == Scenario.CONTENDED) ? contended(Duration.ZERO, length, false)
                : uncontended(1, Duration.ZERO, length, false);
        CommandCensus census = CommandCensus.start(redis.host(), redis.port());
        try {
            Fields pass = process.run(command, length.plus(RUN_SLACK));
            result.addCensus(scenario, process.contender(), census.finish(scenario.operations(pass)));
        }
        catch (IllegalStateException ex) {
            result.addFailure("census " + scenario.title() + ": " + ex.getMessage());
            this.progress.accept("FAILED: " + ex.getMessage());
        }
        finally {
            census.close();
        }
    }

    /**
     * Counts the PostgreSQL transactions (commits and rollbacks) of one pass in the census database. A server
     * process reports its counts to {@code pg_stat_database} at most once a second, and an idle one up to 10 s
     * late, but always when it ends: so the pass runs on fresh nodes that are closed after it, and the count is read
     * once no client is connected to that database any more.
     */
    private void transactionCensus(ServerHandle postgres, ContenderProcess process, Scenario scenario,
            ComparisonResult result) {
        Duration length = this.settings.census();
        String command = (scenario == Scenario.CONTENDED)
                ? "census contended " + this.settings.nodes() + " " + length.toMillis() + " "
                        + this.settings.criticalSectionNanos()
                : "census uncontended " + length.toMillis();
        try {
            long before = postgres.censusTransactions();
            Fields pass = process.run(command, length.plus(RUN_SLACK));
            long transactions = postgres.censusTransactions() - before;
            result.addTransactionCensus(scenario, process.contender(),
                    new TransactionCensus(scenario.operations(pass), transactions));
            this.progress.accept(String.format("  %-10s %-24s %.2f transactions per %s", process.contender().id(),
                    scenario.title(), transactions / (double) Math.max(1, scenario.operations(pass)),
                    (scenario == Scenario.CONTENDED) ? "grant" : "lock+unlock"));
        }
        catch (IllegalStateException ex) {
            result.addFailure("transaction census " + scenario.title() + ": " + ex.getMessage());
            this.progress.accept("FAILED: " + ex.getMessage());
        }
    }

    private void scale(RedisServer redis, ContenderProcess distlock, ComparisonResult result) {
        this.progress.accept("scale: " + this.settings.scaleKeys() + " distinct keys with "
                + distlock.contender().id());
        try (Jedis connection = redis.connect()) {
            connection.flushAll();
            pause(Duration.ofSeconds(1));
            long baselineMemory = usedMemory(connection);
            long baselineKeys = keys(connection);
            Fields run = distlock.run("scale " + this.settings.scaleKeys() + " " + this.settings.scaleThreads(),
                    Duration.ofMinutes(30));
            long memoryAfterRun = usedMemory(connection);
            long keysAfterRun = keys(connection);
            long runEnded = System.nanoTime();
            long millisUntilBack = -1;
            long memoryWhenBack = -1;
            while (System.nanoTime() - runEnded < KEYS_BACK_TIMEOUT.toNanos()) {
                if (keys(connection) <= baselineKeys) {
                    millisUntilBack = (System.nanoTime() - runEnded) / 1_000_000;
                    memoryWhenBack = usedMemory(connection);
                    break;
                }
                pause(Duration.ofMillis(100));
            }
            pause(this.settings.settleTime());
            ScaleResult scale = new ScaleResult(run.getLong("keys"), run.getLong("nanos"), run.getLong("failures"),
                    baselineMemory, baselineKeys, memoryAfterRun, keysAfterRun, millisUntilBack, memoryWhenBack,
                    usedMemory(connection), run.getLong("heapBefore"), run.getLong("heapAfter"));
            result.setScale(scale);
            this.progress.accept(String.format("  %,d keys in %.1f s; Redis keys after: %,d; back to %d after %d ms; "
                    + "memory %,d -> %,d -> %,d bytes", scale.keys(), scale.nanos() / 1e9, keysAfterRun, baselineKeys,
                    millisUntilBack, baselineMemory, memoryAfterRun, scale.settledMemory()));
        }
        catch (IllegalStateException ex) {
            result.addFailure("scale: " + ex.getMessage());
            this.progress.accept("FAILED: " + ex.getMessage());
        }
    }

    private @Nullable ServerHandle startPostgres(ComparisonResult result) {
        try {
            PostgresServer server = PostgresServer.start();
            ServerHandle handle = new ServerHandle(server);
            PostgresTables.createIfMissing(handle.dataSource());
            handle.execute("CREATE DATABASE " + CENSUS_DATABASE);
            PostgresTables.createIfMissing(handle.censusDataSource());
            result.putEnvironment("postgresql", handle.queryString("SHOW server_version"));
            return handle;
        }
        catch (RuntimeException ex) {
            result.addFailure("PostgreSQL could not start, the JDBC scenarios did not run: " + ex.getMessage());
            this.progress.accept("FAILED: PostgreSQL: " + ex.getMessage());
            return null;
        }
    }

    private void jdbcScale(ServerHandle postgres, ContenderProcess distlockJdbc, ComparisonResult result) {
        int keys = this.settings.jdbcScaleKeys();
        this.progress.accept("JDBC scale: " + keys + " distinct keys with " + distlockJdbc.contender().id());
        String countRows = "SELECT count(*) FROM " + JdbcLockOptions.defaults().qualifiedTableName();
        try {
            long baselineRows = postgres.queryLong(countRows);
            Fields run = distlockJdbc.run("scale " + keys + " " + this.settings.scaleThreads(), Duration.ofMinutes(30));
            long runEnded = System.nanoTime();
            long rowsAfterRun = postgres.queryLong(countRows);
            List<long[]> drain = new ArrayList<>();
            long millisUntilBack = -1;
            long step = Math.max(1000, this.settings.jdbcDrainTime().toMillis() / 15);
            while (System.nanoTime() - runEnded < this.settings.jdbcDrainTime().toNanos()) {
                distlockJdbc.run("trickle " + step + " 100", Duration.ofMillis(step).plus(RUN_SLACK));
                long rows = postgres.queryLong(countRows);
                long seconds = (System.nanoTime() - runEnded) / 1_000_000_000;
                drain.add(new long[] { seconds, rows });
                if (rows <= baselineRows + 1) {
                    millisUntilBack = (System.nanoTime() - runEnded) / 1_000_000;
                    break;
                }
            }
            JdbcScaleResult scale = new JdbcScaleResult(run.getLong("keys"), run.getLong("nanos"),
                    run.getLong("failures"), baselineRows, rowsAfterRun, drain, millisUntilBack);
            result.setJdbcScale(scale);
            this.progress.accept(String.format("  %,d keys in %.1f s; lock table rows %,d -> %,d -> %,d after %d s",
                    keys, scale.nanos() / 1e9, baselineRows, rowsAfterRun,
                    drain.isEmpty() ? rowsAfterRun : drain.get(drain.size() - 1)[1],
                    drain.isEmpty() ? 0 : drain.get(drain.size() - 1)[0]));
        }
        catch (IllegalStateException ex) {
            result.addFailure("JDBC scale: " + ex.getMessage());
            this.progress.accept("FAILED: " + ex.getMessage());
        }
    }

    private String uncontended(int threads, Duration warmup, Duration measure, boolean countCommands) {
        return "uncontended " + threads + " " + warmup.toMillis() + " " + measure.toMillis() + " "
                + (countCommands ? 1 : 0);
    }

    private String contended(Duration warmup, Duration measure, boolean countCommands) {
        return "contended " + this.settings.nodes() + " " + warmup.toMillis() + " " + measure.toMillis() + " "
                + this.settings.criticalSectionNanos() + " " + (countCommands ? 1 : 0);
    }

    /**
     * The PostgreSQL server and a data source for the harness's own queries.
     */
    private static final class ServerHandle implements AutoCloseable {

        private final PostgresServer server;

        private final PGSimpleDataSource dataSource;

        private final PGSimpleDataSource censusDataSource;

        ServerHandle(PostgresServer server) {
            this.server = server;
            this.dataSource = dataSource(server.jdbcUrl());
            this.censusDataSource = dataSource(server.jdbcUrl(CENSUS_DATABASE));
        }

        private static PGSimpleDataSource dataSource(String url) {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(url);
            dataSource.setUser(PostgresServer.SUPERUSER);
            return dataSource;
        }

        DataSource censusDataSource() {
            return this.censusDataSource;
        }

        /**
         * Waits until no client is connected to the census database, then returns its transactions so far. The
         * query itself runs in the {@code postgres} database, so it adds nothing to the count.
         */
        long censusTransactions() {
            String clients = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + CENSUS_DATABASE
                    + "' AND backend_type = 'client backend'";
            long deadline = System.nanoTime() + BACKENDS_GONE_TIMEOUT.toNanos();
            while (queryLong(clients) > 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("clients still connected to " + CENSUS_DATABASE + " after "
                            + BACKENDS_GONE_TIMEOUT + ", so their transactions are not all counted");
                }
                pause(Duration.ofMillis(20));
            }
            return queryLong("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '"
                    + CENSUS_DATABASE + "'");
        }

        void execute(String sql) {
            try (Connection connection = this.dataSource.getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
            catch (SQLException ex) {
                throw new IllegalStateException("PostgreSQL statement failed: " + sql, ex);
            }
        }

        PostgresServer server() {
            return this.server;
        }

        DataSource dataSource() {
            return this.dataSource;
        }

        long queryLong(String sql) {
            return Long.parseLong(queryString(sql));
        }

        String queryString(String sql) {
            try (Connection connection = this.dataSource.getConnection();
                    Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(sql)) {
                rows.next();
                return rows.getString(1);
            }
            catch (SQLException ex) {
                throw new IllegalStateException("PostgreSQL query failed: " + sql, ex);
            }
        }

        @Override
        public void close() {
            this.server.close();
        }

    }

    private static <T> List<T> rotate(List<T> items, int by) {
        List<T> rotated = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            rotated.add(items.get((i + by) % items.size()));
        }
        return rotated;
    }

    private static String redisVersion(RedisServer redis) {
        for (String line : redis.info("server").split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                return line.substring("redis_version:".length()).trim();
            }
        }
        return "unknown";
    }

    private static long usedMemory(Jedis connection) {
        for (String line : connection.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("INFO memory has no used_memory");
    }

    private static long keys(Jedis connection) {
        return connection.dbSize();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
