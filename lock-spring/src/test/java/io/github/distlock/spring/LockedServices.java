package io.github.distlock.spring;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.Lease;

import org.springframework.core.annotation.AliasFor;

/**
 * The annotated beans the lock-spring tests call through their proxies.
 */
final class LockedServices {

    private LockedServices() {
    }

    /** A meta-annotation, as an application would declare one. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @DistributedLock(name = "order", leaseTime = "10s")
    @interface OrderLock {

        @AliasFor(annotation = DistributedLock.class)
        String key();

    }

    record Order(String id, long amount) {
    }

    /** A class that inherits Object's toString(), so its text differs for every instance. */
    static final class Voucher {
    }

    static class OrderService {

        final AtomicInteger runs = new AtomicInteger();

        public AtomicInteger runs() {
            return this.runs;
        }

        @DistributedLock(name = "order", key = "#order.id")
        public String charge(Order order) {
            this.runs.incrementAndGet();
            return LockContext.current().key();
        }

        @DistributedLock(name = "order", key = "#p0")
        public String chargeByPosition(String orderId) {
            this.runs.incrementAndGet();
            return LockContext.current().key();
        }

        @DistributedLock(name = "order", key = "#a0 + '-' + #a1")
        public String chargeByTwoPositions(String orderId, int attempt) {
            this.runs.incrementAndGet();
            return LockContext.current().key();
        }

        @OrderLock(key = "#orderId")
        public String chargeWithMetaAnnotation(String orderId) {
            this.runs.incrementAndGet();
            return LockContext.current().key();
        }

        @DistributedLock(key = "#orderId")
        public String chargeWithDefaultName(String orderId) {
            this.runs.incrementAndGet();
            return LockContext.current().key();
        }

        @DistributedLock(name = "order", key = "#orderId", whenLocked = WhenLocked.SKIP)
        public Optional<String> skipReturningOptional(String orderId) {
            this.runs.incrementAndGet();
            return Optional.of("ran");
        }

        @DistributedLock(name = "order", key = "#orderId", whenLocked = WhenLocked.SKIP)
        public boolean skipReturningBoolean(String orderId) {
            this.runs.incrementAndGet();
            return true;
        }

        @DistributedLock(name = "order", key = "#orderId", whenLocked = WhenLocked.SKIP)
        public void skipReturningVoid(String orderId) {
            this.runs.incrementAndGet();
        }

        @DistributedLock(name = "order", key = "#orderId", whenLocked = WhenLocked.SKIP)
        public List<String> skipReturningList(String orderId) {
            this.runs.incrementAndGet();
            return List.of("ran");
        }

        @DistributedLock(name = "order", key = "#orderId", whenLocked = WhenLocked.SKIP)
        public CompletableFuture<String> skipReturningFuture(String orderId) {
            this.runs.incrementAndGet();
            return CompletableFuture.completedFuture("ran");
        }

        @DistributedLock(name = "order", key = "#orderId", whenLocked = WhenLocked.FAIL)
        public String failWhenLocked(String orderId) {
            this.runs.incrementAndGet();
            return "ran";
        }

        @DistributedLock(name = "order", key = "#orderId", waitTime = "300ms")
        public String waitBriefly(String orderId) {
            this.runs.incrementAndGet();
            return "ran";
        }

        @DistributedLock(name = "order", key = "#orderId", waitTime = "${test.wait:5s}")
        public String waitWithPlaceholder(String orderId) {
            this.runs.incrementAndGet();
            return "ran";
        }

        @DistributedLock(name = "order", key = "#orderId")
        public long chargeWithPrimitiveToken(String orderId, @FencingToken long token) {
            return token;
        }

        @DistributedLock(name = "order", key = "#orderId")
        public Long chargeWithBoxedToken(String orderId, @FencingToken Long token) {
            return token;
        }

        @DistributedLock(name = "order", key = "#orderId")
        public OptionalLong chargeWithOptionalToken(@FencingToken OptionalLong token, String orderId) {
            return token;
        }

        @DistributedLock(name = "order", key = "#orderId")
        public CompletableFuture<String> chargeAsync(String orderId, CompletableFuture<String> work) {
            this.runs.incrementAndGet();
            return work;
        }

        @DistributedLock(name = "order", key = "#orderId", leaseTime = "300ms", autoRenew = false)
        public String outliveLease(String orderId) throws InterruptedException {
            this.runs.incrementAndGet();
            Thread.sleep(TestTimings.OUTLIVE_SHORT_LEASE.toMillis());
            return "done";
        }

        @DistributedLock(name = "order", key = "#orderId")
        public String failInside(String orderId) {
            this.runs.incrementAndGet();
            throw new IllegalArgumentException("card declined");
        }

        @DistributedLock(name = "order", key = "#order == null ? null : #order.id")
        public String chargeNullable(Order order) {
            this.runs.incrementAndGet();
            return "ran";
        }

        @DistributedLock(name = "order", key = "#order")
        public String chargeAnything(Object order) {
            this.runs.incrementAndGet();
            return LockContext.current().key();
        }

        @DistributedLock(name = "order", key = "#orderId.substring(5)")
        public String chargeWithFailingExpression(String orderId) {
            this.runs.incrementAndGet();
            return "ran";
        }

        @DistributedLock(name = "order", key = "#orderId")
        public String callsSelf(String orderId) {
            return selfInvoked(orderId + "-inner");
        }

        @DistributedLock(name = "order", key = "#orderId")
        public String selfInvoked(String orderId) {
            return LockContext.find().map(Lease::key).orElse("unlocked");
        }

    }

    /** Calls back into {@link OrderService} while holding a lock on the same key. */
    static class Checkout {

        private final OrderService orders;

        Checkout(OrderService orders) {
            this.orders = orders;
        }

        @DistributedLock(name = "order", key = "#order.id")
        public String checkout(Order order) {
            Lease outer = LockContext.current();
            String inner = this.orders.charge(order);
            outer.checkHeld();
            return inner;
        }

    }

    /** Every public method is locked by the class-level annotation. */
    @DistributedLock(name = "batch")
    static class NightlyBatch {

        public String run() {
            return LockContext.current().key();
        }

    }

    interface Payments {

        @DistributedLock(name = "payment", key = "#paymentId")
        String refund(String paymentId);

    }

    /** Implemented by no class: a proxy without a target answers it, as a client or repository proxy does. */
    interface RemoteLedger {

        @DistributedLock(name = "ledger", key = "#entryId")
        String post(String entryId);

    }

    static class CardPayments implements Payments {

        @Override
        public String refund(String paymentId) {
            return LockContext.current().key();
        }

    }

}
