package io.github.distlock.sample.shop;

import java.time.Duration;

/**
 * Stands in for the external payment provider: authorizing a payment takes a while. That while is the window of
 * the race the lock closes: two unlocked checkouts of one order both find it unpaid, both authorize, both charge.
 * It is also where a paused process typically sits when its lease runs out.
 *
 * <p>Immutable and thread-safe.
 */
public class PaymentProvider {

    private final Duration authorizationTime;

    /**
     * Creates a provider.
     * @param authorizationTime how long each authorization takes
     */
    public PaymentProvider(Duration authorizationTime) {
        this.authorizationTime = authorizationTime;
    }

    /**
     * Authorizes a payment: waits the authorization time.
     * @param orderId the order paid for
     * @throws IllegalStateException if the thread is interrupted while waiting
     */
    public void authorize(String orderId) {
        try {
            Thread.sleep(this.authorizationTime.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while authorizing the payment of order '" + orderId + "'", ex);
        }
    }

}
