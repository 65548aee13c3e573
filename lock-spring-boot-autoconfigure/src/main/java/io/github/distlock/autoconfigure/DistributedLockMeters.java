package io.github.distlock.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.distlock.core.engine.LeaseLoss;
import io.github.distlock.core.engine.LockEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The meters of a {@link LockEngine} beyond the timers its observations give: {@code distributed.lock.leases.active}
 * (gauge: leases held now), {@code distributed.lock.waiters} (gauge: callers waiting for a held key now) and
 * {@code distributed.lock.leases.lost} (counter, by lock name and cause), each tagged with the backend. The gauges
 * read the engine when the registry is scraped; the counter is incremented by the engine's loss observer, on the
 * thread that saw the loss. Thread-safe; may be bound to several registries.
 *
 * @since 0.1.0
 */
public final class DistributedLockMeters implements MeterBinder {

    /** The tag of the lock's name; a request without one is tagged {@code none}. */
    static final String NAME_TAG = "distributed.lock.name";

    static final String BACKEND_TAG = "distributed.lock.backend";

    static final String CAUSE_TAG = "distributed.lock.cause";

    private final LockEngine engine;

    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    /**
     * Creates the meters of an engine; they count losses from the first {@link #bindTo} on.
     * @param engine the engine
     */
    public DistributedLockMeters(LockEngine engine) {
        this.engine = engine;
        engine.addLeaseLossObserver(this::countLoss);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String backend = this.engine.backendName();
        Gauge.builder("distributed.lock.leases.active", this.engine, LockEngine::heldLeaseCount)
            .description("Leases this instance holds now")
            .baseUnit("leases")
            .tag(BACKEND_TAG, backend)
            .register(registry);
        Gauge.builder("distributed.lock.waiters", this.engine, LockEngine::waiterCount)
            .description("Callers of this instance waiting for a held lock now")
            .baseUnit("callers")
            .tag(BACKEND_TAG, backend)
            .register(registry);
        this.registries.add(registry);
    }

    private void countLoss(LeaseLoss loss) {
        for (MeterRegistry registry : this.registries) {
            Counter.builder("distributed.lock.leases.lost")
                .description("Leases lost while held: the work under them was not protected to its end")
                .baseUnit("leases")
                .tag(NAME_TAG, loss.name().isEmpty() ? "none" : loss.name())
                .tag(BACKEND_TAG, loss.backend())
                .tag(CAUSE_TAG, loss.cause().tagValue())
                .register(registry)
                .increment();
        }
    }

}
