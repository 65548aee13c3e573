package io.github.distlock.aspectjtests;

import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.FencingToken;

/**
 * A ledger whose public methods call its locked methods on itself, compiled by ajc with lock-spring-aspects on the
 * aspect path: the calls that a proxy never sees. The locked methods are package-private, private and static.
 */
public class SelfInvokingLedger {

    private final RaceProbe probe;

    /**
     * Creates the ledger.
     * @param probe the critical section that the locked methods run
     */
    public SelfInvokingLedger(RaceProbe probe) {
        this.probe = probe;
    }

    /**
     * Posts through the package-private locked method, called on this object.
     */
    public void post() {
        add();
    }

    /**
     * Posts through the private locked method, called on this object.
     */
    public void postPrivately() {
        addPrivately();
    }

    /**
     * Returns the fencing token that the locked method was given, called on this object.
     * @return the token
     */
    public long postWithToken() {
        return stamp(0L);
    }

    @DistributedLock(key = "'ledger'", waitTime = "30s")
    void add() {
        this.probe.criticalSection();
    }

    @DistributedLock(key = "'ledger'", waitTime = "30s")
    private void addPrivately() {
        this.probe.criticalSection();
    }

    @DistributedLock(key = "'ledger'", waitTime = "30s")
    long stamp(@FencingToken long token) {
        return token;
    }

    /**
     * Posts through a static locked method.
     * @param probe the critical section
     */
    @DistributedLock(key = "'ledger'", waitTime = "30s")
    public static void addStatically(RaceProbe probe) {
        probe.criticalSection();
    }

}
