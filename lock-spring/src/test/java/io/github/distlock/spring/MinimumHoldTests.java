package io.github.distlock.spring;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * {@code minHold} through the annotation: the call returns while the lock stays held, so a call within the hold is
 * skipped, whether the first call returned, threw or completed its future; one after the hold runs.
 */
class MinimumHoldTests {

    private static final Duration MIN_HOLD = Duration.ofSeconds(1);

    private final AnnotationConfigApplicationContext context = start();

    private final Reports reports = this.context.getBean(Reports.class);

    @AfterEach
    void closeContext() {
        this.context.close();
    }

    @Test
    void callWithinTheMinimumHoldIsSkippedAndOneAfterItRuns() throws Exception {
        this.reports.report();
        // The first call has returned and the hold has not ended: the same thread and another one both skip.
        this.reports.report();
        CompletableFuture.runAsync(this.reports::report).get();
        assertThat(this.reports.runs()).isEqualTo(1);
        await().atMost(MIN_HOLD.plus(TestTimings.EVENTUALLY)).untilAsserted(() -> {
            this.reports.report();
            assertThat(this.reports.runs()).isEqualTo(2);
        });
    }

    @Test
    void minimumHoldAlsoFollowsACallThatThrew() {
        assertThatIllegalStateException().isThrownBy(this.reports::failingReport);
        this.reports.failingReport();
        assertThat(this.reports.runs()).isEqualTo(1);
    }

    @Test
    void minimumHoldOfAnAsynchronousMethodFollowsItsFuture() throws Exception {
        this.reports.asynchronousReport().get();
        assertThat(this.reports.asynchronousReport().get()).isNull();
        assertThat(this.reports.runs()).isEqualTo(1);
    }

    private static AnnotationConfigApplicationContext start() {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources()
            .addFirst(new MapPropertySource("test", Map.of("test.min-hold", MIN_HOLD.toMillis() + "ms")));
        // The same in-memory engine and @EnableDistributedLock as the start-up checks.
        context.register(StartupValidationTests.Infrastructure.class);
        context.registerBean(Reports.class);
        context.refresh();
        return context;
    }

    static class Reports {

        private final AtomicInteger runs = new AtomicInteger();

        // A method, not the field: the bean is a class-based proxy, whose own fields are never set.
        public int runs() {
            return this.runs.get();
        }

        @DistributedLock(name = "report", leaseTime = "30s", minHold = "${test.min-hold}",
                whenLocked = WhenLocked.SKIP)
        public void report() {
            this.runs.incrementAndGet();
        }

        @DistributedLock(name = "failing-report", leaseTime = "30s", minHold = "${test.min-hold}",
                whenLocked = WhenLocked.SKIP)
        public void failingReport() {
            this.runs.incrementAndGet();
            throw new IllegalStateException("the report failed");
        }

        @DistributedLock(name = "asynchronous-report", leaseTime = "30s", minHold = "${test.min-hold}",
                whenLocked = WhenLocked.SKIP)
        public CompletableFuture<String> asynchronousReport() {
            this.runs.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> "report");
        }

    }

}
