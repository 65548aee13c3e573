package io.github.distlock.sample.shop;

/**
 * The item has no stock left.
 */
public class SoldOutException extends RuntimeException {

    private final String itemId;

    /**
     * Creates the exception.
     * @param itemId the item
     */
    public SoldOutException(String itemId) {
        super("Item '" + itemId + "' is sold out");
        this.itemId = itemId;
    }

    public String getItemId() {
        return this.itemId;
    }

}
