package io.github.distlock.core.spi;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callbacks registered for release notifications, by key: the bookkeeping every {@link ReleaseNotifyingBackend}
 * needs behind its one shared subscription. Each registration is a distinct entry (two equal callbacks are two
 * registrations), closing it is idempotent, and a callback that throws is logged without stopping the others.
 *
 * <p>Thread-safe; callbacks run on the thread that announces the release.
 *
 * @since 0.1.0
 */
public final class ReleaseCallbacks {

    private static final Logger logger = LoggerFactory.getLogger(ReleaseCallbacks.class);

    private final ConcurrentHashMap<String, Set<Registration>> byKey = new ConcurrentHashMap<>();

    private final AtomicInteger open = new AtomicInteger();

    /**
     * Registers a callback for releases of a key.
     * @param key the key as the backend announces it
     * @param callback what to run; must not block
     * @return the registration; closing it (once or more) removes the callback
     */
    public ReleaseSubscription add(String key, Runnable callback) {
        Registration registration = new Registration(callback);
        this.byKey.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>()).add(registration);
        this.open.incrementAndGet();
        return () -> remove(key, registration);
    }

    /**
     * Runs the callbacks registered for a key.
     * @param key the released key
     */
    public void notifyReleased(String key) {
        Set<Registration> registered = this.byKey.get(key);
        if (registered != null) {
            registered.forEach(registration -> registration.run(key));
        }
    }

    /**
     * Runs every registered callback once, for when releases may have been missed (a subscription that broke or was
     * just established).
     */
    public void notifyEveryone() {
        this.byKey.forEach((key, registered) -> registered.forEach(registration -> registration.run(key)));
    }

    /**
     * Returns how many registrations are open.
     * @return the number of callbacks registered and not closed
     */
    public int registered() {
        return this.open.get();
    }

    /**
     * Removes every registration, for a backend that closes.
     */
    public void clear() {
        this.byKey.values().forEach(registered -> registered.forEach(Registration::markClosed));
        this.byKey.clear();
        this.open.set(0);
    }

    private void remove(String key, Registration registration) {
        if (!registration.markClosed()) {
            return;
        }
        this.byKey.computeIfPresent(key, (k, registered) -> {
            registered.remove(registration);
            return registered.isEmpty() ? null : registered;
        });
        this.open.decrementAndGet();
    }

    /** One callback; identity, not equality, tells registrations apart. */
    private static final class Registration {

        private final Runnable callback;

        private final AtomicBoolean closed = new AtomicBoolean();

        Registration(Runnable callback) {
            this.callback = callback;
        }

        boolean markClosed() {
            return this.closed.compareAndSet(false, true);
        }

        void run(String key) {
            try {
                this.callback.run();
            }
            catch (RuntimeException ex) {
                logger.warn("Release callback for lock '{}' failed", key, ex);
            }
        }

    }

}
