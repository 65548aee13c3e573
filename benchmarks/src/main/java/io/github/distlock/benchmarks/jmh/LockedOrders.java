package io.github.distlock.benchmarks.jmh;

import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.LockContext;

/**
 * The service the annotation benchmarks call: the same trivial work under differently keyed locks, so that the
 * differences between the benchmarks are the lock's and the key's costs. Stateless, thread-safe.
 */
public class LockedOrders {

    /**
     * An order.
     * @param id its id, the lock key
     * @param amount its amount
     */
    public record Order(String id, long amount) {
    }

    /**
     * The work, unlocked.
     * @param order the order
     * @return a value derived from it
     */
    public long work(Order order) {
        return order.amount() + order.id().length();
    }

    /**
     * The work under one lock for all orders: no key expression to evaluate.
     * @param order the order
     * @return a value derived from it
     */
    @DistributedLock(name = "orders")
    public long chargeUnderOneLock(Order order) {
        return work(order);
    }

    /**
     * The work under a lock keyed by a parameter.
     * @param id the order id
     * @param order the order
     * @return a value derived from it
     */
    @DistributedLock(name = "orders", key = "#id")
    public long chargeById(String id, Order order) {
        return work(order);
    }

    /**
     * The work under a lock keyed by a property of a parameter.
     * @param order the order
     * @return a value derived from it
     */
    @DistributedLock(name = "orders", key = "#order.id")
    public long charge(Order order) {
        return work(order);
    }

    /**
     * Returns the key of the lease the calling method holds; lets a test check that calls go through the lock.
     * @param id the order id
     * @return the held lock key
     */
    @DistributedLock(name = "orders", key = "#id")
    public String heldKey(String id) {
        return LockContext.current().key();
    }

}
