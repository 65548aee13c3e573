package io.github.distlock.sample.shop;

/**
 * No flash-sale item has the given id.
 */
public class ItemNotFoundException extends RuntimeException {

    private final String itemId;

    /**
     * Creates the exception.
     * @param itemId the id that was asked for
     */
    public ItemNotFoundException(String itemId) {
        super("Item '" + itemId + "' does not exist");
        this.itemId = itemId;
    }

    public String getItemId() {
        return this.itemId;
    }

}
