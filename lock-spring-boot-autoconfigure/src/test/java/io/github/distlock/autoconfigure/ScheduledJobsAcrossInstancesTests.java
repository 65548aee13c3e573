package io.github.distlock.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.testservers.ChildJvm;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @Scheduled} job on several instances whose schedulers tick a few tens of milliseconds apart, as
 * instances whose clocks disagree do: every period runs on one instance only. The job ticks every 200 ms on the
 * multiples of the period of its instance's clock (as cron ticks on the second) and records the tick it belongs
 * to, so a period is the tick's number, whatever the lateness of the run. Without {@code minHold} the lock ends when
 * the 5 ms job returns and the instance that ticks later runs the same period again; the twin test shows it.
 *
 * <p>The run log is kept in Redis, so that the instance in another JVM writes to it too; it also detects two runs
 * at the same time with a marker set if absent.
 */
class ScheduledJobsAcrossInstancesTests {

    private static final Duration PERIOD = Duration.ofMillis(200);

    /** How much further behind each further instance's clock is. */
    private static final Duration CLOCK_STEP = Duration.ofMillis(40);

    /** Shorter than the period less the clock difference, longer than the clock difference. */
    private static final String MIN_HOLD = "150ms";

    private static final String LEASE_TIME = "2s";

    private static final long WORK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** 5 s of ticks with every instance up. */
    private static final int PERIODS = 25;

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void eachPeriodRunsOnceAcrossTwoContextsSharingOneInMemoryBackend() {
        try (RunLog log = new RunLog(redis.port(), UUID.randomUUID().toString())) {
            long allUp = runTwoContextsOverOneInMemoryBackend(log, MIN_HOLD);
            Map<Long, List<String>> runs = log.runsByTick();
            assertThat(runs).as("periods that ran more than once").allSatisfy((tick, instances) ->
                    assertThat(instances).hasSize(1));
            assertThat(log.overlaps()).isEmpty();
            assertThat(ticksWithARun(runs, allUp, PERIODS)).isGreaterThanOrEqualTo(PERIODS / 2);
        }
    }

    @Test
    void withoutMinHoldTheInstanceThatTicksLaterRunsTheSamePeriodAgain() {
        try (RunLog log = new RunLog(redis.port(), UUID.randomUUID().toString())) {
            runTwoContextsOverOneInMemoryBackend(log, "");
            assertThat(log.runsByTick().values()).as("periods that ran twice")
                .filteredOn(instances -> instances.size() == 2)
                .hasSizeGreaterThanOrEqualTo(PERIODS / 5);
        }
    }

    @Test
    void eachPeriodRunsOnceAcrossInstancesOnRedisAndAKilledInstancesJobResumesElsewhereAfterItsLease()
            throws Exception {
        RunLog log = new RunLog(redis.port(), UUID.randomUUID().toString());
        String lockName = "report-" + log.run;
        Path output = Files.createTempFile("distlock-scheduled-instance", ".log");
        // The other JVM's clock is ahead of both contexts', so it wins every period until it is killed.
        Process otherJvm = new ProcessBuilder(ChildJvm.command(List.of(), OtherInstance.class,
                List.of(Integer.toString(redis.port()), log.run, lockName, MIN_HOLD)))
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        try {
            await().atMost(PATIENCE).until(() -> {
                if (!otherJvm.isAlive()) {
                    throw new IllegalStateException("The other instance ended: " + Files.readString(output));
                }
                return log.runsByTick().values().stream().anyMatch(instances -> instances.contains("jvm"));
            });
            ApplicationContextRunner instance = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
                .withUserConfiguration(JobConfiguration.class)
                .withPropertyValues("distributed-lock.backend=redis", "distributed-lock.redis.port=" + redis.port(),
                        "job.log-port=" + redis.port(), "job.run=" + log.run, "job.lock-name=" + lockName,
                        "job.min-hold=" + MIN_HOLD);
            instance.withPropertyValues("job.instance=first", "job.clock-behind=" + CLOCK_STEP.toMillis())
                .run(first -> instance
                    .withPropertyValues("job.instance=second", "job.clock-behind=" + 2 * CLOCK_STEP.toMillis())
                    .run(second -> {
                        long allUp = currentTick() + 1;
                        awaitTick(log, allUp + PERIODS / 2);
                        log.tellToHang("jvm");
                        long hung = await().atMost(PATIENCE).until(log::hungAtTick, tick -> tick > 0);
                        otherJvm.destroyForcibly().waitFor();
                        // The killed run never finished; its marker goes, so later runs are judged on their own.
                        log.clearRunningMarker();
                        long resumed = await().atMost(PATIENCE).until(
                                () -> log.firstTickAfter(hung, instances -> !instances.contains("jvm")), t -> t > 0);
                        awaitTick(log, resumed + PERIODS / 2);
                        Map<Long, List<String>> runs = log.runsByTick();
                        assertThat(runs).as("periods that ran more than once").allSatisfy((tick, instances) ->
                                assertThat(instances).hasSize(1));
                        assertThat(log.overlaps()).isEmpty();
                        // Nobody ran while the hung job held the key (no overlap above), and someone did once its
                        // lease ended.
                        assertThat(Duration.ofMillis((resumed - hung) * PERIOD.toMillis()))
                            .isLessThanOrEqualTo(Duration.parse("PT" + LEASE_TIME.toUpperCase()).plus(PATIENCE));
                        assertThat(ticksWithARun(runs, resumed, PERIODS / 2)).isGreaterThanOrEqualTo(PERIODS / 4);
                        assertThat(runs.values()).as("periods run by each context in this JVM")
                            .anyMatch(instances -> !instances.contains("jvm"));
                    }));
        }
        finally {
            otherJvm.destroyForcibly();
            Files.deleteIfExists(output);
            log.close();
        }
    }

    /**
     * Runs the job on two contexts whose clocks are {@link #CLOCK_STEP} apart, over one backend, for
     * {@link #PERIODS} periods after both are up.
     * @return the first tick with both contexts up
     */
    private static long runTwoContextsOverOneInMemoryBackend(RunLog log, String minHold) {
        AtomicLong allUp = new AtomicLong();
        InMemoryLeaseBackend shared = new InMemoryLeaseBackend();
        ApplicationContextRunner instance = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
            .withUserConfiguration(JobConfiguration.class)
            .withBean(LeaseBackend.class, () -> shared)
            .withPropertyValues("distributed-lock.backend=in-memory", "job.log-port=" + redis.port(),
                    "job.run=" + log.run, "job.lock-name=report-" + log.run, "job.min-hold=" + minHold);
        instance.withPropertyValues("job.instance=first", "job.clock-behind=0")
            .run(first -> instance.withPropertyValues("job.instance=second", "job.clock-behind=" + CLOCK_STEP.toMillis())
                .run(second -> {
                    allUp.set(currentTick() + 1);
                    awaitTick(log, allUp.get() + PERIODS);
                }));
        return allUp.get();
    }

    private static long currentTick() {
        return System.currentTimeMillis() / PERIOD.toMillis();
    }

    private static void awaitTick(RunLog log, long tick) {
        await().atMost(PATIENCE).until(() -> log.runsByTick().keySet().stream().anyMatch(t -> t >= tick));
    }

    private static long ticksWithARun(Map<Long, List<String>> runs, long fromTick, int periods) {
        return runs.keySet().stream().filter(tick -> tick >= fromTick && tick < fromTick + periods).count();
    }

    /**
     * The runs of one test, kept in Redis: which instance ran which tick, and the runs that began while another was
     * still running.
     */
    static final class RunLog implements AutoCloseable {

        final String run;

        private final UnifiedJedis jedis;

        RunLog(int port, String run) {
            this.jedis = CheckoutAcrossInstancesTests.redisClient(port);
            this.run = run;
        }

        void started(String instance, long tick) {
            if (this.jedis.set(key("running"), instance + "@" + tick, SetParams.setParams().nx()) == null) {
                this.jedis.rpush(key("overlaps"), instance + "@" + tick + " while " + this.jedis.get(key("running")));
            }
            this.jedis.rpush(key("runs"), tick + " " + instance);
        }

        void finished() {
            this.jedis.del(key("running"));
        }

        void clearRunningMarker() {
            this.jedis.del(key("running"));
        }

        void tellToHang(String instance) {
            this.jedis.set(key("hang:" + instance), "1");
        }

        boolean toldToHang(String instance, long tick) {
            if (this.jedis.get(key("hang:" + instance)) == null) {
                return false;
            }
            this.jedis.set(key("hung"), Long.toString(tick));
            return true;
        }

        long hungAtTick() {
            String tick = this.jedis.get(key("hung"));
            return (tick != null) ? Long.parseLong(tick) : 0;
        }

        Map<Long, List<String>> runsByTick() {
            return this.jedis.lrange(key("runs"), 0, -1).stream()
                .map(entry -> entry.split(" "))
                .collect(Collectors.groupingBy(entry -> Long.parseLong(entry[0]), TreeMap::new,
                        Collectors.mapping(entry -> entry[1], Collectors.toList())));
        }

        long firstTickAfter(long tick, Predicate<List<String>> instances) {
            return runsByTick().entrySet().stream()
                .filter(entry -> entry.getKey() > tick && instances.test(entry.getValue()))
                .mapToLong(Map.Entry::getKey)
                .findFirst()
                .orElse(0);
        }

        List<String> overlaps() {
            return this.jedis.lrange(key("overlaps"), 0, -1);
        }

        private String key(String name) {
            return "scheduled:" + this.run + ":" + name;
        }

        @Override
        public void close() {
            this.jedis.close();
        }

    }

    /**
     * A scheduler whose fixed-rate tasks run on the multiples of their period on its own clock, as cron runs on the
     * second, so that schedulers whose clocks disagree tick that far apart; each run can ask which tick it is.
     */
    static final class TickAlignedScheduler extends ThreadPoolTaskScheduler {

        private static final ThreadLocal<Long> currentTick = new ThreadLocal<>();

        TickAlignedScheduler(Duration clockBehind) {
            setClock(Clock.offset(Clock.systemUTC(), clockBehind.negated()));
            setThreadNamePrefix("job-scheduler-");
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
            return alignedToPeriod(task, period);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
            return alignedToPeriod(task, period);
        }

        // A fixed-rate executor runs execution n at first + n * period however late the previous one was, so
        // counting executions names each run's tick exactly.
        private ScheduledFuture<?> alignedToPeriod(Runnable task, Duration period) {
            long periodMillis = period.toMillis();
            long firstTick = getClock().millis() / periodMillis + 1;
            AtomicLong nextTick = new AtomicLong(firstTick);
            Runnable knowingItsTick = () -> {
                currentTick.set(nextTick.getAndIncrement());
                try {
                    task.run();
                }
                finally {
                    currentTick.remove();
                }
            };
            return super.scheduleAtFixedRate(knowingItsTick, Instant.ofEpochMilli(firstTick * periodMillis), period);
        }

        static long currentTick() {
            Long tick = currentTick.get();
            if (tick == null) {
                throw new IllegalStateException("not on a tick of a TickAlignedScheduler");
            }
            return tick;
        }

    }

    /**
     * The job: 5 ms of work every period, locked per the properties; told so, it hangs in its run.
     */
    static class ReportJob {

        private final RunLog log;

        private final String instance;

        ReportJob(RunLog log, String instance) {
            this.log = log;
            this.instance = instance;
        }

        @Scheduled(fixedRate = 200)
        @DistributedLock(name = "${job.lock-name}", key = "'nightly-report'", leaseTime = LEASE_TIME,
                minHold = "${job.min-hold}")
        public void report() {
            long tick = TickAlignedScheduler.currentTick();
            this.log.started(this.instance, tick);
            if (this.log.toldToHang(this.instance, tick)) {
                // Stuck with the lock held (and renewed) until the test kills this process.
                while (!Thread.currentThread().isInterrupted()) {
                    LockSupport.park();
                }
                return;
            }
            LockSupport.parkNanos(WORK_NANOS);
            this.log.finished();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class JobConfiguration {

        @Bean
        TickAlignedScheduler taskScheduler(Environment environment) {
            return new TickAlignedScheduler(
                    Duration.ofMillis(environment.getRequiredProperty("job.clock-behind", Long.class)));
        }

        @Bean(destroyMethod = "close")
        RunLog runLog(Environment environment) {
            return new RunLog(environment.getRequiredProperty("job.log-port", Integer.class),
                    environment.getRequiredProperty("job.run"));
        }

        @Bean
        ReportJob reportJob(RunLog runLog, Environment environment) {
            return new ReportJob(runLog, environment.getRequiredProperty("job.instance"));
        }

    }

    /**
     * The third instance: a Spring Boot application in its own JVM, with the clock furthest ahead.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(DistributedLockAutoConfiguration.class)
    static class OtherInstance {

        /**
         * Runs the job until killed: {@code <redis port> <run> <lock name> <min hold>}.
         * @param args the arguments
         */
        public static void main(String[] args) {
            new SpringApplicationBuilder(OtherInstance.class, JobConfiguration.class)
                .web(WebApplicationType.NONE)
                .properties(Map.of("distributed-lock.backend", "redis", "distributed-lock.redis.port", args[0],
                        "job.log-port", args[0], "job.run", args[1], "job.lock-name", args[2], "job.min-hold", args[3],
                        "job.instance", "jvm", "job.clock-behind", "0"))
                .run();
        }

    }

}
