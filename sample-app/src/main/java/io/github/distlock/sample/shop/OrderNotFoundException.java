package io.github.distlock.sample.shop;

/**
 * No order has the given id.
 */
public class OrderNotFoundException extends RuntimeException {

    private final String orderId;

    /**
     * Creates the exception.
     * @param orderId the id that was asked for
     */
    public OrderNotFoundException(String orderId) {
        super("Order '" + orderId + "' does not exist");
        this.orderId = orderId;
    }

    /**
     * Returns the id that was asked for.
     * @return the order id
     */
    public String getOrderId() {
        return this.orderId;
    }

}
