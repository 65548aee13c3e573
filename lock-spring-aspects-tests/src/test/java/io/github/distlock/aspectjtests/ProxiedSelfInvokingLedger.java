package io.github.distlock.aspectjtests;

import io.github.distlock.spring.DistributedLock;

/**
 * The ledger's shape compiled by javac, not woven: a bean reached through the lock proxy, whose own call of its
 * locked method goes past the proxy.
 */
public class ProxiedSelfInvokingLedger {

    private final RaceProbe probe;

    public ProxiedSelfInvokingLedger(RaceProbe probe) {
        this.probe = probe;
    }

    public void post() {
        add();
    }

    @DistributedLock(key = "'ledger'", waitTime = "30s")
    public void add() {
        this.probe.criticalSection();
    }

}
