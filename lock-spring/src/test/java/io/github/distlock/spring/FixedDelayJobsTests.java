package io.github.distlock.spring;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code fixedDelay} job on two instances that started at different moments, so that their ticks are apart by
 * an arbitrary part of the delay, over one backend. Without {@code minHold} each instance runs on every one of its
 * ticks, since the 5 ms job has nearly always released the lock when the other instance ticks; with a {@code minHold} a
 * little shorter than the delay, the two together run about once per delay. Judged by counts of ticks and runs,
 * never by durations: each scheduler counts its ticks, each job its runs.
 */
class FixedDelayJobsTests {

    private static final int PERIODS = 20;

    /** The job's fixed delay. */
    private static final long DELAY_MILLIS = 400;

    private static final long WORK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** Switches of the running instance as the two schedules drift apart (each adds at most one run). */
    private static final int SWITCH_SLACK = 3;

    @Test
    void withMinHoldTwoInstancesRunAboutOncePerDelayBetweenThem() {
        Counts counts = runTwoInstances("350ms");
        assertThat(counts.runs()).isLessThanOrEqualTo(counts.mostTicks() + SWITCH_SLACK);
        assertThat(counts.runs()).isGreaterThanOrEqualTo(counts.mostTicks() / 2);
    }

    @Test
    void withoutMinHoldTheTwoInstancesRunFarMoreThanOncePerDelay() {
        Counts counts = runTwoInstances("");
        // Not every tick: on a loaded machine two ticks sometimes meet while a run is on. But clearly more runs
        // than the minimum hold allows, which is what the hold is for (a run seen 30 times in 38 ticks so).
        assertThat(counts.runs()).isGreaterThan(counts.mostTicks() + SWITCH_SLACK);
    }

    private static Counts runTwoInstances(String minHold) {
        InMemoryLeaseBackend shared = new InMemoryLeaseBackend();
        try (AnnotationConfigApplicationContext first = start(shared, minHold);
                AnnotationConfigApplicationContext second = startHalfADelayLater(shared, minHold)) {
            Instance one = new Instance(first);
            Instance two = new Instance(second);
            Counts before = Counts.of(one, two);
            await().atMost(TestTimings.EVENTUALLY.multipliedBy(3))
                .until(() -> Math.min(one.ticks(), two.ticks()) >= before.mostTicks() + PERIODS);
            Counts after = Counts.of(one, two);
            return new Counts(after.ticksOne - before.ticksOne, after.ticksTwo - before.ticksTwo,
                    after.runs - before.runs);
        }
    }

    // Two contexts started back to back tick within a few milliseconds of each other, and then one of them finds
    // the lock taken on nearly every tick; half a delay apart, their ticks interleave as two real instances' do.
    private static AnnotationConfigApplicationContext startHalfADelayLater(LeaseBackend backend, String minHold) {
        try {
            Thread.sleep(DELAY_MILLIS / 2);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        return start(backend, minHold);
    }

    private static AnnotationConfigApplicationContext start(LeaseBackend backend, String minHold) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources()
            .addFirst(new MapPropertySource("test", Map.of("job.min-hold", minHold, "job.name", "delayed-report")));
        context.registerBean(LeaseBackend.class, () -> backend);
        context.register(JobConfiguration.class);
        context.refresh();
        return context;
    }

    private record Instance(AnnotationConfigApplicationContext context) {

        int ticks() {
            return this.context.getBean(TickCountingScheduler.class).ticks.get();
        }

        int runs() {
            return this.context.getBean(DelayedReport.class).runs();
        }

    }

    private record Counts(int ticksOne, int ticksTwo, int runs) {

        static Counts of(Instance one, Instance two) {
            return new Counts(one.ticks(), two.ticks(), one.runs() + two.runs());
        }

        int mostTicks() {
            return Math.max(this.ticksOne, this.ticksTwo);
        }

        int allTicks() {
            return this.ticksOne + this.ticksTwo;
        }

    }

    /** Counts every execution of its fixed-delay tasks, the skipped ones included. */
    static final class TickCountingScheduler extends ThreadPoolTaskScheduler {

        final AtomicInteger ticks = new AtomicInteger();

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
            return super.scheduleWithFixedDelay(counted(task), delay);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
            return super.scheduleWithFixedDelay(counted(task), startTime, delay);
        }

        private Runnable counted(Runnable task) {
            return () -> {
                this.ticks.incrementAndGet();
                task.run();
            };
        }

    }

    static class DelayedReport {

        private final AtomicInteger runs = new AtomicInteger();

        @Scheduled(fixedDelay = DELAY_MILLIS)
        @DistributedLock(name = "${job.name}", leaseTime = "2s", minHold = "${job.min-hold}")
        public void report() {
            this.runs.incrementAndGet();
            LockSupport.parkNanos(WORK_NANOS);
        }

        // A method, not the field: the bean is a class-based proxy, whose own fields are never set.
        public int runs() {
            return this.runs.get();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    @EnableDistributedLock
    static class JobConfiguration {

        @Bean(destroyMethod = "close")
        LockEngine lockClient(LeaseBackend backend) {
            return new LockEngine(backend);
        }

        @Bean
        TickCountingScheduler taskScheduler() {
            return new TickCountingScheduler();
        }

        @Bean
        DelayedReport delayedReport() {
            return new DelayedReport();
        }

    }

}
