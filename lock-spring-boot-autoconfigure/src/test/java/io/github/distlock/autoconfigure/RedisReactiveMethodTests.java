package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.WhenLocked;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reactive locked methods on two application instances over one real {@code redis-server}: each subscription
 * holds the key in Redis from its start to its termination.
 */
class RedisReactiveMethodTests {

    private static final Duration EVENTUALLY = Duration.ofSeconds(15);

    /** The window in which a waiting subscription would have started if it were not locked out. */
    private static final Duration QUIET = Duration.ofMillis(300);

    private static final Duration STEP = Duration.ofMillis(20);

    private static RedisServer redis;

    private final Running running = new Running();

    // A key of its own per test, so that no test sees another's hold.
    private final String id = UUID.randomUUID().toString();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private ApplicationContextRunner instance() {
        return new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
            .withPropertyValues("distributed-lock.backend=redis", "distributed-lock.redis.port=" + redis.port(),
                    "distributed-lock.wait-time=10s")
            .withBean(Running.class, () -> this.running)
            .withBean(Feeds.class);
    }

    private void onTwoInstances(TwoInstances test) {
        instance().run(first -> instance().run(second -> test.run(first, second)));
    }

    private static boolean isFree(AssertableApplicationContext context, String key) {
        return context.getBean(LockClient.class)
            .tryAcquire(LockRequest.of(key, Duration.ofSeconds(5)).withReentrant(false))
            .map(lease -> {
                lease.release();
                return true;
            })
            .orElse(false);
    }

    @Test
    void subscriptionOnAnotherInstanceWaitsOrSkipsWhileTheFirstFluxIsStillEmitting() {
        onTwoInstances((first, second) -> {
            Sinks.Many<String> work = Sinks.many().unicast().onBackpressureBuffer();
            List<String> seen = new ArrayList<>();
            first.getBean(Feeds.class).feed(this.id, work.asFlux()).subscribe(seen::add);
            work.tryEmitNext("first-1");
            await().atMost(EVENTUALLY).until(() -> seen.contains("first-1"));
            Feeds feeds = second.getBean(Feeds.class);
            StepVerifier.create(feeds.feedOrSkip(this.id, Flux.just("skipped?"))).verifyComplete();
            StepVerifier.create(feeds.feed(this.id, Flux.just("second")))
                .expectSubscription()
                .expectNoEvent(QUIET)
                .then(() -> assertThat(this.running.invocations).as("invocations while the first emits").hasValue(1))
                .then(work::tryEmitComplete)
                .expectNext("second")
                .expectComplete()
                .verify(EVENTUALLY);
        });
    }

    @Test
    void overlappingSubscriptionsOnTwoInstancesNeverRunAtTheSameTime() {
        onTwoInstances((first, second) -> {
            List<Flux<String>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                for (AssertableApplicationContext instance : List.of(first, second)) {
                    calls.add(instance.getBean(Feeds.class).feed(this.id,
                            Flux.range(0, 3).delayElements(STEP, Schedulers.parallel()).map(String::valueOf)));
                }
            }
            Flux.merge(calls).blockLast(EVENTUALLY);
            assertThat(this.running.mostAtOnce).as("subscriptions running at once").hasValue(1);
            assertThat(this.running.invocations).hasValue(8);
        });
    }

    @Test
    void cancellationReleasesTheKeyInRedisAtOnce() {
        onTwoInstances((first, second) -> {
            Disposable subscription = first.getBean(Feeds.class).feed(this.id, Flux.never()).subscribe();
            await().atMost(EVENTUALLY).until(() -> this.running.invocations.get() == 1);
            assertThat(isFree(second, "feed:" + this.id)).isFalse();
            subscription.dispose();
            await().atMost(EVENTUALLY).until(() -> isFree(second, "feed:" + this.id));
        });
    }

    @Test
    void anErrorReleasesTheKeyInRedis() {
        onTwoInstances((first, second) -> {
            StepVerifier.create(first.getBean(Feeds.class).feed(this.id,
                    Flux.error(new IllegalStateException("gateway timeout"))))
                .expectErrorMessage("gateway timeout")
                .verify(EVENTUALLY);
            await().atMost(EVENTUALLY).until(() -> isFree(second, "feed:" + this.id));
        });
    }

    @Test
    void leaseLostWhileTheFluxRunsIsAnErrorSignal() {
        instance().run(context -> StepVerifier.create(context.getBean(Feeds.class).outlive(this.id, Flux.never()))
            .expectSubscription()
            .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("Feeds.outlive(String, Flux)"))
            .verify(EVENTUALLY));
    }

    @Test
    void fencingTokenOfEachSubscriptionComesFromRedisInTheReactorContext() {
        instance().run(context -> {
            Flux<Long> tokens = context.getBean(Feeds.class).tokens(this.id);
            long first = tokens.blockLast(EVENTUALLY);
            long second = tokens.blockLast(EVENTUALLY);
            assertThat(second).isGreaterThan(first);
        });
    }

    @FunctionalInterface
    interface TwoInstances {

        void run(AssertableApplicationContext first, AssertableApplicationContext second);

    }

    /** Shared by both instances: how many subscriptions run now, at most, and in all. */
    static final class Running {

        final AtomicInteger now = new AtomicInteger();

        final AtomicInteger mostAtOnce = new AtomicInteger();

        final AtomicInteger invocations = new AtomicInteger();

        <T> Flux<T> count(Flux<T> work) {
            this.invocations.incrementAndGet();
            return work.doOnSubscribe(subscription -> this.mostAtOnce.accumulateAndGet(this.now.incrementAndGet(),
                    Math::max))
                // Before the end reaches the interceptor, which releases the key.
                .doOnTerminate(this.now::decrementAndGet)
                .doOnCancel(this.now::decrementAndGet);
        }

    }

    static class Feeds {

        private final Running running;

        Feeds(Running running) {
            this.running = running;
        }

        @DistributedLock(name = "feed", key = "#id")
        public Flux<String> feed(String id, Flux<String> work) {
            return this.running.count(work);
        }

        @DistributedLock(name = "feed", key = "#id", whenLocked = WhenLocked.SKIP)
        public Flux<String> feedOrSkip(String id, Flux<String> work) {
            return this.running.count(work);
        }

        @DistributedLock(name = "short", key = "#id", leaseTime = "500ms", autoRenew = false)
        public Flux<String> outlive(String id, Flux<String> work) {
            return work;
        }

        @DistributedLock(name = "tokens", key = "#id")
        public Flux<Long> tokens(String id) {
            return io.github.distlock.spring.ReactiveLockContext.currentLease()
                .map(lease -> lease.fencingToken().orElseThrow())
                .flux();
        }

    }

}
