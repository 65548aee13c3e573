package io.github.distlock.core.engine;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLossListener;
import io.github.distlock.core.LeaseLostException;

/**
 * One hold on a {@link SharedLease}: what {@link LockEngine} returns. Each handle is released at most once, so a
 * nested release can never drop an outer hold. Thread-safe.
 */
final class LeaseHandle implements Lease {

    private final SharedLease lease;

    private final AtomicBoolean released = new AtomicBoolean();

    LeaseHandle(SharedLease lease) {
        this.lease = lease;
    }

    @Override
    public String key() {
        return this.lease.key;
    }

    @Override
    public String ownerToken() {
        return this.lease.ownerToken;
    }

    @Override
    public OptionalLong fencingToken() {
        return this.lease.fencingToken;
    }

    @Override
    public Duration remainingValidity() {
        return this.released.get() ? Duration.ZERO : this.lease.remainingValidity();
    }

    @Override
    public boolean isHeld() {
        return !this.released.get() && this.lease.isHeld();
    }

    @Override
    public void checkHeld() {
        if (this.released.get()) {
            throw new LeaseLostException(key(), "this handle was already released");
        }
        if (!this.lease.isHeld()) {
            String reason = (this.lease.state() == SharedLease.State.RELEASED) ? "the lease was released"
                    : this.lease.lossReason();
            throw new LeaseLostException(key(), reason);
        }
    }

    @Override
    public void addLossListener(LeaseLossListener listener) {
        this.lease.addLossListener(listener, this);
    }

    @Override
    public void release() {
        if (this.released.compareAndSet(false, true)) {
            this.lease.releaseHandle();
        }
    }

    @Override
    public String toString() {
        return "Lease[key=" + key() + ", fencingToken=" + fencingToken() + ", state=" + this.lease.state() + "]";
    }

}
