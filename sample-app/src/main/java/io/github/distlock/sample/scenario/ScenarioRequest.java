package io.github.distlock.sample.scenario;

/**
 * What to run on the demo page.
 *
 * @param kind which scenario
 * @param servers how many simulated servers, each with its own lock client
 * @param orders how many orders every server checks out ({@link Kind#CHECKOUT})
 * @param buyers how many buyers try to buy the item at once, spread over the servers ({@link Kind#FLASH_SALE})
 * @param stock how many items are left when the sale starts ({@link Kind#FLASH_SALE})
 * @param locked whether the servers take the lock
 * @param paymentTimeMillis how long the simulated payment provider takes per payment, and one run of the scheduled
 *     job ({@link Kind#SCHEDULED_JOB})
 * @param periods how many periods every server's scheduler fires the job for ({@link Kind#SCHEDULED_JOB})
 * @param fencing whether the charges carry the lock's fencing token ({@link Kind#PAUSED_HOLDER}; the other
 *     scenarios always pass it)
 * @param design how the flash sale keeps from overselling ({@link Kind#FLASH_SALE}); {@code locked} applies to
 *     {@link SaleDesign#LOCK} only
 */
public record ScenarioRequest(Kind kind, int servers, int orders, int buyers, int stock, boolean locked,
        int paymentTimeMillis, int periods, boolean fencing, SaleDesign design) {

    /** Most simulated servers in one run. */
    public static final int MAX_SERVERS = 8;

    /** Most buyers in one flash sale. */
    public static final int MAX_BUYERS = 10_000;

    /**
     * Whether the run locks: the lock is taken in the locked runs of the scenarios, and in a flash sale only by the
     * {@link SaleDesign#LOCK} design, the others needing none.
     * @return whether the simulated servers take the lock
     */
    public boolean takesTheLock() {
        return this.locked && (this.kind != Kind.FLASH_SALE || this.design == SaleDesign.LOCK);
    }

    /**
     * Checks the bounds, so that a run stays small enough for a demo.
     * @throws IllegalArgumentException naming the first value out of bounds
     */
    public ScenarioRequest {
        check("servers", servers, 1, MAX_SERVERS);
        check("orders", orders, 1, 200);
        check("buyers", buyers, 1, MAX_BUYERS);
        if (design == null) {
            throw new IllegalArgumentException("design must be one of LOCK, CONDITIONAL_UPDATE, ROUTED");
        }
        check("stock", stock, 1, 50);
        check("paymentTimeMillis", paymentTimeMillis, 0, 1000);
        check("periods", periods, 1, 40);
        if ((kind == Kind.PAUSED_HOLDER || kind == Kind.CRASHED_HOLDER) && servers < 2) {
            throw new IllegalArgumentException("servers must be at least 2 for a " + kind + " run, was " + servers);
        }
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /**
     * The three ways to sell the last items to many buyers at once.
     */
    public enum SaleDesign {

        /** Every buy holds the lock on the item (or, in a run without the lock, nothing stops an oversell). */
        LOCK,

        /**
         * No lock: the database takes the item out only if one is left ({@code UPDATE ... WHERE stock > 0}), and an
         * idempotency key per buyer keeps a retried click from buying twice.
         */
        CONDITIONAL_UPDATE,

        /** No lock: every buy of the item is routed to one server, which sells one at a time. */
        ROUTED

    }

    /**
     * The scenarios.
     */
    public enum Kind {

        /** N servers each check out the same M orders: without the lock some orders are charged twice. */
        CHECKOUT,

        /** K buyers try to buy the last items at once: without the lock more are sold than there are. */
        FLASH_SALE,

        /**
         * N servers each schedule the same job every period, their schedulers a few milliseconds apart: without the
         * lock every period runs N times, with it once.
         */
        SCHEDULED_JOB,

        /**
         * Kleppmann's case: the first server takes the lock on one order and stops for longer than its lease after
         * reading it unpaid; another server takes the lock meanwhile and charges it; the first resumes and charges
         * too, unless the ledger refuses its stale fencing token.
         */
        PAUSED_HOLDER,

        /**
         * The first server takes the lock on a settlement and crashes in its middle; the others wait for the lock
         * and do the settlement once the crashed holder's lease has run out: without the lock they work on it at
         * the same time as the first.
         */
        CRASHED_HOLDER

    }

}
