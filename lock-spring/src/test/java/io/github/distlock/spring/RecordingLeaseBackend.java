package io.github.distlock.spring;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.FencingLeaseBackend;
import io.github.distlock.core.spi.ReleaseNotifyingBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

/**
 * A real {@link InMemoryLeaseBackend} that records every call in order, can run a probe at release time, and can be
 * switched to fail as an unreachable service would.
 */
final class RecordingLeaseBackend implements FencingLeaseBackend, ReleaseNotifyingBackend {

    final InMemoryLeaseBackend delegate = new InMemoryLeaseBackend();

    final List<String> events;

    final List<String> acquiredKeys = new CopyOnWriteArrayList<>();

    /** Describes a release in {@link #events}; a test can make it probe what others see at that moment. */
    final AtomicReference<Supplier<String>> releaseEvent = new AtomicReference<>(() -> "release");

    volatile boolean unreachable;

    RecordingLeaseBackend(List<String> events) {
        this.events = events;
    }

    RecordingLeaseBackend() {
        this(new CopyOnWriteArrayList<>());
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        failIfUnreachable();
        AcquireResult result = this.delegate.tryAcquire(key, ownerToken, leaseTime);
        if (result.isGranted()) {
            this.acquiredKeys.add(key);
            this.events.add("acquire");
        }
        return result;
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        failIfUnreachable();
        return this.delegate.renewIfOwner(key, ownerToken, leaseTime);
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        this.events.add(this.releaseEvent.get().get());
        return this.delegate.releaseIfOwner(key, ownerToken);
    }

    @Override
    public ReleaseSubscription subscribeToReleases(String key, Runnable onRelease) {
        return this.delegate.subscribeToReleases(key, onRelease);
    }

    @Override
    public String name() {
        return "recording-in-memory";
    }

    private void failIfUnreachable() {
        if (this.unreachable) {
            throw new IllegalStateException("connection refused (simulated outage)");
        }
    }

}
