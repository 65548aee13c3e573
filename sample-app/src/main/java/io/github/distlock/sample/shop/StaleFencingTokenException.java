package io.github.distlock.sample.shop;

/**
 * The ledger refused a charge whose fencing token is older than the newest it has accepted for the order: the
 * charge comes from a holder whose lock expired (for example, it was paused) and was since granted to another.
 */
public class StaleFencingTokenException extends RuntimeException {

    private final String orderId;

    private final long fencingToken;

    private final long newestToken;

    /**
     * Creates the exception.
     * @param orderId the order
     * @param fencingToken the refused token
     * @param newestToken the newest token the ledger has accepted for the order
     */
    public StaleFencingTokenException(String orderId, long fencingToken, long newestToken) {
        super("The ledger refused to charge order '" + orderId + "' with fencing token " + fencingToken
                + ": it has already accepted token " + newestToken + " for this order");
        this.orderId = orderId;
        this.fencingToken = fencingToken;
        this.newestToken = newestToken;
    }

    public String getOrderId() {
        return this.orderId;
    }

    public long getFencingToken() {
        return this.fencingToken;
    }

    public long getNewestToken() {
        return this.newestToken;
    }

}
