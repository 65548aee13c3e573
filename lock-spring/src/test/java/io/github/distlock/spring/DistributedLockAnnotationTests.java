package io.github.distlock.spring;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.DistributedLockException;
import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.spring.LockedServices.CardPayments;
import io.github.distlock.spring.LockedServices.Checkout;
import io.github.distlock.spring.LockedServices.NightlyBatch;
import io.github.distlock.spring.LockedServices.Order;
import io.github.distlock.spring.LockedServices.OrderService;
import io.github.distlock.spring.LockedServices.Payments;
import io.github.distlock.spring.LockedServices.RemoteLedger;
import io.github.distlock.spring.LockedServices.Voucher;
import io.github.distlock.spring.interceptor.DistributedLockInterceptor;
import io.github.distlock.testkit.RecordingLeaseBackend;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class DistributedLockAnnotationTests {

    private AnnotationConfigApplicationContext context;

    private OrderService orders;

    private LockClient lockClient;

    private RecordingLeaseBackend backend;

    @BeforeEach
    void startContext() {
        this.context = startContext(LeaseLostAction.THROW);
        this.orders = this.context.getBean(OrderService.class);
        this.lockClient = this.context.getBean(LockClient.class);
        this.backend = this.context.getBean(RecordingLeaseBackend.class);
    }

    @AfterEach
    void closeContext() {
        this.context.close();
    }

    /** Starts the locked services (and the given bean classes, proxied too) over a recording in-memory backend. */
    static AnnotationConfigApplicationContext startContext(LeaseLostAction onLeaseLost, Class<?>... moreBeans) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources()
            .addFirst(new MapPropertySource("test", Map.of("test.wait", "250ms")));
        context.registerBean(LeaseLostAction.class, () -> onLeaseLost);
        context.register(LockedConfig.class);
        for (Class<?> bean : moreBeans) {
            context.registerBean(bean);
        }
        context.refresh();
        return context;
    }

    private Lease holdElsewhere(String key) {
        // Not reentrant: the test thread must not re-enter this hold when it calls a locked method.
        return this.lockClient.tryAcquire(LockRequest.of(key, Duration.ofSeconds(30)).withReentrant(false))
            .orElseThrow();
    }

    @Nested
    @DisplayName("the lock key")
    class LockKey {

        @Test
        void isEvaluatedFromAParameterPropertyByName() {
            assertThat(orders.charge(new Order("42", 10))).isEqualTo("order:42");
        }

        @Test
        void isEvaluatedFromParametersByPosition() {
            assertThat(orders.chargeByPosition("42")).isEqualTo("order:42");
            assertThat(orders.chargeByTwoPositions("42", 3)).isEqualTo("order:42-3");
        }

        @Test
        void defaultsToTheDeclaringClassAndMethodAsName() {
            assertThat(orders.chargeWithDefaultName("42"))
                .isEqualTo("io.github.distlock.spring.LockedServices$OrderService.chargeWithDefaultName:42");
        }

        @Test
        void comesFromAMetaAnnotation() {
            assertThat(orders.chargeWithMetaAnnotation("42")).isEqualTo("order:42");
        }

        @Test
        void isSharedByMethodsWithTheSameName() {
            try (Lease held = holdElsewhere("order:7")) {
                assertThat(orders.skipReturningOptional("7")).isEmpty();
            }
            assertThat(orders.runs()).hasValue(0);
        }

        @Test
        void thatEvaluatesToNullIsRejectedBeforeAnyLockIsTaken() {
            assertThatThrownBy(() -> orders.chargeNullable(null)).isInstanceOf(LockKeyEvaluationException.class)
                .hasMessageContaining("OrderService.chargeNullable(Order)")
                .hasMessageContaining("#order == null ? null : #order.id")
                .hasMessageContaining("null");
            assertNothingRanOrLocked();
        }

        @Test
        void thatEvaluatesToAnEmptyStringIsRejectedBeforeAnyLockIsTaken() {
            assertThatThrownBy(() -> orders.chargeByPosition("")).isInstanceOf(LockKeyEvaluationException.class)
                .hasMessageContaining("OrderService.chargeByPosition(String)")
                .hasMessageContaining("'#p0'")
                .hasMessageContaining("empty");
            assertNothingRanOrLocked();
        }

        @Test
        void whoseExpressionThrowsIsRejectedBeforeAnyLockIsTaken() {
            assertThatThrownBy(() -> orders.chargeWithFailingExpression("abc"))
                .isInstanceOf(LockKeyEvaluationException.class)
                .hasMessageContaining("OrderService.chargeWithFailingExpression(String)")
                .hasMessageContaining("#orderId.substring(5)");
            assertNothingRanOrLocked();
        }

        @Test
        void whoseValueHasNoToStringOfItsOwnIsRejectedBeforeAnyLockIsTaken() {
            assertThatThrownBy(() -> orders.chargeAnything(new Voucher()))
                .isInstanceOf(LockKeyEvaluationException.class)
                .hasMessageContaining("OrderService.chargeAnything(Object)")
                .hasMessageContaining("'#order'")
                .hasMessageContaining("Voucher")
                .hasMessageContaining("toString()")
                .hasMessageContaining("never contend")
                .hasMessageContaining("no lock was taken");
            assertNothingRanOrLocked();
        }

        @Test
        void whoseValueIsAnArrayACollectionOrAMapIsRejectedBeforeAnyLockIsTaken() {
            for (Object value : List.of(new String[] { "1" }, new long[] { 1 }, List.of("1"), Set.of("1"),
                    Map.of("1", "2"))) {
                assertThatThrownBy(() -> orders.chargeAnything(value)).as(value.getClass().getName())
                    .isInstanceOf(LockKeyEvaluationException.class)
                    .hasMessageContaining("OrderService.chargeAnything(Object)")
                    .hasMessageContaining("'#order'")
                    .hasMessageContaining("keys = ")
                    .hasMessageContaining("no lock was taken");
            }
            assertNothingRanOrLocked();
        }

        @Test
        void whoseValueHasItsOwnToStringIsAccepted() {
            assertThat(orders.chargeAnything(new Order("42", 1))).isEqualTo("order:Order[id=42, amount=1]");
            assertThat(orders.chargeAnything(42L)).isEqualTo("order:42");
            assertThat(orders.chargeAnything(WhenLocked.FAIL)).isEqualTo("order:FAIL");
        }

        @Test
        void treatsArgumentValuesAsDataNeverAsExpressions() {
            assertThat(orders.chargeByPosition("T(java.lang.System).exit(1)"))
                .isEqualTo("order:T(java.lang.System).exit(1)");
        }

    }

    @Nested
    @DisplayName("when the lock is held by another owner")
    class WhenHeld {

        @Test
        void skipReturnsEmptyValuesWithoutRunningTheMethod() {
            try (Lease held = holdElsewhere("order:7")) {
                assertThat(orders.skipReturningOptional("7")).isEqualTo(Optional.empty());
                assertThat(orders.skipReturningBoolean("7")).isFalse();
                assertThat(orders.skipReturningList("7")).isEqualTo(List.of());
                orders.skipReturningVoid("7");
            }
            assertThat(orders.runs()).hasValue(0);
        }

        @Test
        void skipOnAMethodReturningAFutureGivesEachCallACompletedFutureOfItsOwn() {
            try (Lease held = holdElsewhere("order:7")) {
                CompletableFuture<String> first = orders.skipReturningFuture("7");
                CompletableFuture<String> second = orders.skipReturningFuture("7");
                assertThat(first).isCompletedWithValue(null);
                assertThat(second).isCompletedWithValue(null).isNotSameAs(first);
            }
            assertThat(orders.runs()).hasValue(0);
        }

        @Test
        void failThrowsAtOnceWithoutRunningTheMethod() {
            try (Lease held = holdElsewhere("order:7")) {
                assertThatThrownBy(() -> orders.failWhenLocked("7")).isInstanceOf(LockNotAcquiredException.class)
                    .hasMessageContaining("order:7");
            }
            assertThat(orders.runs()).hasValue(0);
        }

        @Test
        void failSaysTheLockIsHeldAndTheMethodDidNotRunWithoutMentioningAWait() {
            try (Lease held = holdElsewhere("order:7")) {
                assertThatThrownBy(() -> orders.failWhenLocked("7")).isInstanceOf(LockNotAcquiredException.class)
                    .hasMessageContaining("OrderService.failWhenLocked(String)")
                    .hasMessageContaining("'order:7'")
                    .hasMessageContaining("held by another owner")
                    .hasMessageContaining("did not run")
                    .hasMessageNotContaining("PT0S")
                    .hasMessageNotContaining("within");
            }
        }

        @Test
        void waitSaysHowLongItWaitedAndThatTheMethodDidNotRun() {
            try (Lease held = holdElsewhere("order:7")) {
                assertThatThrownBy(() -> orders.waitBriefly("7")).isInstanceOf(LockNotAcquiredException.class)
                    .hasMessageContaining("OrderService.waitBriefly(String)")
                    .hasMessageContaining("'order:7'")
                    .hasMessageContaining("300ms")
                    .hasMessageContaining("did not run")
                    .hasMessageNotContaining("PT0.3S")
                    .extracting(ex -> ((LockNotAcquiredException) ex).getWaitTime())
                    .isEqualTo(Duration.ofMillis(300));
            }
        }

        @Test
        void waitGivesUpAfterTheWaitTimeWithoutRunningTheMethod() {
            try (Lease held = holdElsewhere("order:7")) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> orders.waitBriefly("7")).isInstanceOf(LockNotAcquiredException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            }
            assertThat(orders.runs()).hasValue(0);
        }

        @Test
        void waitTimeResolvesPlaceholders() {
            try (Lease held = holdElsewhere("order:7")) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> orders.waitWithPlaceholder("7")).isInstanceOf(LockNotAcquiredException.class)
                    .extracting(ex -> ((LockNotAcquiredException) ex).getWaitTime())
                    .isEqualTo(Duration.ofMillis(250));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            }
        }

        @Test
        void waitRunsTheMethodOnceTheHolderReleases() throws Exception {
            Lease held = holdElsewhere("order:7");
            // charge() waits up to the default wait time of 2 s; the holder releases after 100 ms.
            // Own threads: the common pool may have a single thread on a 2-core machine, which the waiter would block.
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<String> call = threads.submit(() -> orders.charge(new Order("7", 1)));
                threads.submit(() -> {
                    Thread.sleep(100);
                    held.release();
                    return null;
                });
                assertThat(call.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("order:7");
            }
            finally {
                threads.shutdownNow();
            }
            assertThat(orders.runs()).hasValue(1);
        }

    }

    @Nested
    @DisplayName("the running method")
    class RunningMethod {

        @Test
        void receivesAStrictlyIncreasingFencingToken() {
            long first = orders.chargeWithPrimitiveToken("1", 0);
            long second = orders.chargeWithPrimitiveToken("1", 0);
            assertThat(second).isGreaterThan(first);
            assertThat(orders.chargeWithBoxedToken("1", null)).isGreaterThan(second);
            assertThat(orders.chargeWithOptionalToken(OptionalLong.empty(), "1").getAsLong()).isGreaterThan(second);
        }

        @Test
        void seesItsLeaseThroughLockContext() {
            assertThat(LockContext.find()).isEmpty();
            assertThatThrownBy(LockContext::current).isInstanceOf(IllegalStateException.class);
            assertThat(orders.charge(new Order("9", 1))).isEqualTo("order:9");
            assertThat(LockContext.find()).isEmpty();
        }

        @Test
        void reentersALockItsThreadAlreadyHolds() {
            Checkout checkout = context.getBean(Checkout.class);
            assertThat(checkout.checkout(new Order("5", 1))).isEqualTo("order:5");
            assertThat(backend.grantedKeys()).containsExactly("order:5");
            assertThat(((InMemoryLeaseBackend) backend.delegate()).storedEntryCount()).isZero();
        }

        @Test
        void releasesTheLockWhenItThrows() {
            assertThatThrownBy(() -> orders.failInside("3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("card declined");
            assertThat(orders.failWhenLocked("3")).isEqualTo("ran");
        }

        @Test
        void thatOutlivesItsLeaseMakesTheCallerGetLeaseLostException() {
            assertThatThrownBy(() -> orders.outliveLease("8")).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("order:8")
                .hasMessageContaining("OrderService.outliveLease(String)");
            assertThat(orders.runs()).hasValue(1);
        }

        @Test
        void callingItselfIsNotLockedAgainBecauseSelfInvocationBypassesTheProxy() {
            // The inner call uses the outer lease's context: no lock is taken for "order:1-inner".
            assertThat(orders.callsSelf("1")).isEqualTo("order:1");
            assertThat(backend.grantedKeys()).containsExactly("order:1");
        }

    }

    @Nested
    @DisplayName("annotation placement")
    class Placement {

        @Test
        void onAClassLocksEveryPublicMethod() {
            assertThat(context.getBean(NightlyBatch.class).run()).isEqualTo("batch");
        }

        @Test
        void onAnInterfaceMethodLocksTheImplementation() {
            assertThat(context.getBean(Payments.class).refund("p1")).isEqualTo("payment:p1");
        }

        @Test
        void onAnInterfaceProxiedWithoutATargetHoldsTheLockWhileTheCallRuns() {
            ProxyFactory factory = new ProxyFactory();
            factory.addInterface(RemoteLedger.class);
            factory.addAdvice(context.getBean(DistributedLockInterceptor.class));
            // The last advice answers the call, as a remoting or repository proxy's does; there is no target.
            factory.addAdvice((MethodInterceptor) invocation -> LockContext.find()
                .filter(Lease::isHeld)
                .map(Lease::key)
                .orElse("unlocked"));
            RemoteLedger ledger = (RemoteLedger) factory.getProxy();
            assertThat(ledger.post("e1")).isEqualTo("ledger:e1");
            assertThat(backend.grantedKeys()).containsExactly("ledger:e1");
            try (Lease next = holdElsewhere("ledger:e1")) {
                assertThat(next.isHeld()).isTrue();
            }
        }

    }

    @Nested
    @DisplayName("a method returning a CompletableFuture")
    class Asynchronous {

        @Test
        void holdsTheLockUntilTheFutureCompletes() throws Exception {
            CompletableFuture<String> work = new CompletableFuture<>();
            CompletableFuture<String> result = orders.chargeAsync("4", work);
            assertThat(lockClient.tryAcquire(LockRequest.of("order:4", Duration.ofSeconds(5)).withReentrant(false)))
                .isEmpty();
            CompletableFuture.runAsync(() -> work.complete("charged"));
            assertThat(result.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("charged");
            try (Lease next = holdElsewhere("order:4")) {
                assertThat(next.isHeld()).isTrue();
            }
        }

        @Test
        void releasesTheLockWhenTheFutureFails() {
            CompletableFuture<String> work = new CompletableFuture<>();
            CompletableFuture<String> result = orders.chargeAsync("4", work);
            work.completeExceptionally(new IllegalStateException("gateway timeout"));
            assertThatThrownBy(() -> result.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("gateway timeout");
            try (Lease next = holdElsewhere("order:4")) {
                assertThat(next.isHeld()).isTrue();
            }
        }

    }

    @Nested
    @DisplayName("a lock backend that is down")
    class BackendDown {

        @Test
        void failsClosedWithoutRunningTheMethod() {
            backend.unreachable(true);
            assertThatThrownBy(() -> orders.charge(new Order("1", 1))).isInstanceOf(LockUnavailableException.class)
                .hasMessageContaining("recording-in-memory")
                .isInstanceOf(DistributedLockException.class);
            assertThat(orders.runs()).hasValue(0);
        }

        @Test
        void failureNamesTheMethodAndTheKeyAndSaysTheMethodDidNotRun() {
            backend.unreachable(true);
            assertThatThrownBy(() -> orders.charge(new Order("1", 1))).isInstanceOf(LockUnavailableException.class)
                .hasMessageContaining("OrderService.charge(Order)")
                .hasMessageContaining("'order:1'")
                .hasMessageContaining("did not run")
                .hasMessageContaining("recording-in-memory")
                .hasRootCauseMessage("connection refused (simulated outage)")
                .extracting(ex -> ((LockUnavailableException) ex).getKey())
                .isEqualTo("order:1");
            assertThat(orders.runs()).hasValue(0);
        }

        @Test
        void recoversWhenTheBackendAnswersAgain() {
            backend.unreachable(true);
            assertThatThrownBy(() -> orders.charge(new Order("1", 1))).isInstanceOf(LockUnavailableException.class);
            backend.unreachable(false);
            assertThat(orders.charge(new Order("1", 1))).isEqualTo("order:1");
        }

    }

    @Test
    void leaseLostCanBeLoggedInsteadOfThrown() throws InterruptedException {
        try (AnnotationConfigApplicationContext logging = startContext(LeaseLostAction.LOG)) {
            assertThat(logging.getBean(OrderService.class).outliveLease("8")).isEqualTo("done");
        }
    }

    private void assertNothingRanOrLocked() {
        assertThat(this.orders.runs()).hasValue(0);
        assertThat(this.backend.grantedKeys()).isEmpty();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class LockedConfig {

        @Bean
        RecordingLeaseBackend recordingLeaseBackend() {
            return RecordingLeaseBackend.inMemory();
        }

        @Bean(destroyMethod = "close")
        LockEngine lockClient(RecordingLeaseBackend backend) {
            return new LockEngine(backend);
        }

        @Bean
        DistributedLockSettings distributedLockSettings(LeaseLostAction onLeaseLost) {
            return DistributedLockSettings.defaults().withDefaultWaitTime(Duration.ofSeconds(2)).withOnLeaseLost(onLeaseLost);
        }

        @Bean
        OrderService orderService() {
            return new OrderService();
        }

        @Bean
        Checkout checkout(OrderService orders) {
            return new Checkout(orders);
        }

        @Bean
        NightlyBatch nightlyBatch() {
            return new NightlyBatch();
        }

        @Bean
        Payments payments() {
            return new CardPayments();
        }

    }

}
