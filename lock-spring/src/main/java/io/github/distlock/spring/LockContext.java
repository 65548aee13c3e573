package io.github.distlock.spring;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import io.github.distlock.core.Lease;
import io.github.distlock.core.MultiKeyLease;

import org.jspecify.annotations.Nullable;

/**
 * Gives a running {@link DistributedLock} method access to its lease: its fencing token, its remaining validity
 * and {@link Lease#checkHeld()} before an irreversible step.
 *
 * <p>The lease is bound to the thread that called the method for the duration of the call (for a method returning
 * a {@code CompletionStage}, only while the method itself runs; pass the lease to the asynchronous work if it needs
 * it; for a reactive method, while the method assembles its publisher, and in the Reactor context, see
 * {@link ReactiveLockContext}). Nested locked methods see their own lease; the outer one is visible again when they return.
 *
 * @since 0.1.0
 */
public final class LockContext {

    private static final ThreadLocal<@Nullable Deque<Lease>> leases = new ThreadLocal<>();

    private LockContext() {
    }

    /**
     * Returns the lease of the innermost {@link DistributedLock} method running on this thread.
     * @return the lease
     * @throws IllegalStateException if no locked method is running on this thread
     */
    public static Lease current() {
        return find().orElseThrow(() -> new IllegalStateException(
                "No @DistributedLock method is running on this thread (was the method called through its proxy?)"));
    }

    /**
     * Returns the lease of the innermost {@link DistributedLock} method running on this thread, if any.
     * @return the lease, or empty
     */
    public static Optional<Lease> find() {
        Deque<Lease> stack = leases.get();
        return (stack != null) ? Optional.ofNullable(stack.peek()) : Optional.empty();
    }

    /**
     * Returns the fencing tokens of the innermost {@link DistributedLock} method running on this thread, by lock key:
     * one per key of a {@link DistributedLock#keys() keys} method (in the order its keys were taken), the one token
     * of a single-key method. Empty when the backend issues no fencing tokens.
     * @return the tokens by lock key (the stored key, with prefix and name)
     * @throws IllegalStateException if no locked method is running on this thread
     * @since 0.1.0
     */
    public static Map<String, Long> fencingTokens() {
        Lease lease = current();
        if (lease instanceof MultiKeyLease set) {
            return set.fencingTokens();
        }
        OptionalLong token = lease.fencingToken();
        return token.isPresent() ? Map.of(lease.key(), token.getAsLong()) : Map.of();
    }

    /**
     * Makes the lease the current one on this thread until the returned scope is closed. Called by the lock
     * interceptor; applications do not need it.
     * @param lease the lease of the method about to run
     * @return the scope to close when the method returns
     */
    public static Scope bind(Lease lease) {
        Deque<Lease> stack = leases.get();
        if (stack == null) {
            stack = new ArrayDeque<>(2);
            leases.set(stack);
        }
        stack.push(lease);
        return LockContext::unbind;
    }

    private static void unbind() {
        Deque<Lease> stack = leases.get();
        if (stack != null) {
            stack.poll();
            if (stack.isEmpty()) {
                leases.remove();
            }
        }
    }

    /**
     * A binding of a lease to the current thread; closing it restores the previous one.
     */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {

        /**
         * Removes the binding.
         */
        @Override
        void close();

    }

}
