package io.github.distlock.spring;

import java.util.Optional;

import io.github.distlock.core.Lease;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Gives the publisher of a reactive {@link DistributedLock} method access to its lease through the Reactor
 * {@code Context}: the interceptor writes the lease under {@link #LEASE_KEY} into the context of the publisher the
 * method returned, for each subscription, so operators inside it can read the fencing token or
 * {@link Lease#checkHeld()} before an irreversible step:
 * <pre>{@code
 * @DistributedLock(key = "#orderId")
 * public Mono<Receipt> charge(String orderId) {
 *     return ReactiveLockContext.currentLease()
 *         .flatMap(lease -> ledger.write(orderId, lease.fencingToken().getAsLong()));
 * }
 * }</pre>
 * {@link LockContext} holds the lease only while the method itself runs (while it assembles its publisher), on the
 * subscribing thread; the work that runs later, on other threads, reads it here. Needs Reactor on the class path.
 * Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class ReactiveLockContext {

    /** The key under which the lease of the current subscription is in the Reactor {@code Context}. */
    public static final Class<Lease> LEASE_KEY = Lease.class;

    private ReactiveLockContext() {
    }

    /**
     * Returns the lease of the innermost reactive {@link DistributedLock} method whose publisher is subscribed to.
     * @return a {@code Mono} of the lease, which fails with {@link IllegalStateException} when the subscriber's
     *     context has none (the publisher was not returned by a locked method called through its proxy)
     */
    public static Mono<Lease> currentLease() {
        return Mono.deferContextual(context -> context.<Lease>getOrEmpty(LEASE_KEY)
            .map(Mono::just)
            .orElseGet(() -> Mono.error(new IllegalStateException("No reactive @DistributedLock method is "
                    + "subscribed to in this context (was the method called through its proxy, and is this "
                    + "publisher part of the one it returned?)"))));
    }

    /**
     * Returns the lease held for a Reactor context, if it is the context of a locked method's subscription.
     * @param context the context, for example from {@code Mono.deferContextual}
     * @return the lease, or empty
     */
    public static Optional<Lease> find(ContextView context) {
        return context.getOrEmpty(LEASE_KEY);
    }

}
