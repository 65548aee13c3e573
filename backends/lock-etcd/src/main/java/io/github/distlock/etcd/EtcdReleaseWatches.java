package io.github.distlock.etcd;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.github.distlock.core.spi.ReleaseCallbacks;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release watches of one backend: per key that has waiters, one etcd watch on the lock key and one on the range
 * of its readers' keys ({@link EtcdLockKeys}), shared by all its waiters, started by the first waiter and closed with
 * the last. A delete of the lock key or of a reader's key (a release or an expiry) runs the key's callbacks: a writer
 * that waits for readers learns that one left and tries again, which succeeds once the last one left. Intents and
 * marks are not watched, so writers waiting for one another are not woken by each other's intents. A watch that
 * fails or ends is established again (both watches of the key) after a short pause and wakes every waiter of the key
 * at once, since a delete may have been missed meanwhile.
 *
 * <p>Thread-safe; callbacks run on jetcd's watch thread, or on this class's re-establishing thread.
 */
final class EtcdReleaseWatches implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(EtcdReleaseWatches.class);

    private static final long REESTABLISH_DELAY_MILLIS = 200;

    private final Watch watch;

    private final ReleaseCallbacks callbacks = new ReleaseCallbacks();

    // Guarded by this: the key's watch and how many registrations it serves.
    private final Map<String, KeyWatch> byKey = new HashMap<>();

    // Guarded by this: set by close(); no watch starts after it.
    private boolean closed;

    private @Nullable ScheduledExecutorService reestablisher;

    EtcdReleaseWatches(Watch watch) {
        this.watch = watch;
    }

    ReleaseSubscription register(EtcdLockKeys keys, Runnable onRelease) {
        String key = keys.lock().toString();
        ReleaseSubscription registration = this.callbacks.add(key, onRelease);
        synchronized (this) {
            if (this.closed) {
                registration.close();
                return () -> { };
            }
            KeyWatch keyWatch = this.byKey.computeIfAbsent(key, k -> new KeyWatch(keys, key));
            keyWatch.users++;
            if (keyWatch.watchers == null) {
                keyWatch.start();
            }
        }
        return new ReleaseSubscription() {

            private boolean done;

            @Override
            public void close() {
                registration.close();
                synchronized (EtcdReleaseWatches.this) {
                    if (this.done) {
                        return;
                    }
                    this.done = true;
                    KeyWatch keyWatch = EtcdReleaseWatches.this.byKey.get(key);
                    if (keyWatch != null && --keyWatch.users == 0) {
                        EtcdReleaseWatches.this.byKey.remove(key);
                        keyWatch.stop();
                    }
                }
            }

        };
    }

    @Override
    public void close() {
        synchronized (this) {
            this.closed = true;
            this.byKey.values().forEach(KeyWatch::stop);
            this.byKey.clear();
            if (this.reestablisher != null) {
                this.reestablisher.shutdownNow();
            }
        }
        this.callbacks.clear();
    }

    private synchronized void scheduleRestart(KeyWatch keyWatch) {
        if (this.closed || this.byKey.get(keyWatch.key) != keyWatch) {
            return;
        }
        if (this.reestablisher == null) {
            this.reestablisher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "distlock-etcd-watch");
                thread.setDaemon(true);
                return thread;
            });
        }
        this.reestablisher.schedule(() -> {
            synchronized (this) {
                if (this.closed || this.byKey.get(keyWatch.key) != keyWatch) {
                    return;
                }
                keyWatch.start();
            }
            // A delete may have happened while no watch ran: every waiter tries again.
            this.callbacks.notifyReleased(keyWatch.key);
        }, REESTABLISH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The two watches of one key. Its fields are guarded by the enclosing instance. */
    private final class KeyWatch {

        private final EtcdLockKeys keys;

        private final String key;

        private int users;

        // The lock key's watch and the readers' range watch, or null while none runs.
        private Watch.Watcher @Nullable [] watchers;

        KeyWatch(EtcdLockKeys keys, String key) {
            this.keys = keys;
            this.key = key;
        }

        void start() {
            Watch.Watcher[] started = new Watch.Watcher[2];
            this.watchers = started;
            started[0] = watch(this.keys.lock(), WatchOption.builder().withNoPut(true).build(), started);
            started[1] = watch(this.keys.readersStart(),
                    WatchOption.builder().withRange(this.keys.readersEnd()).withNoPut(true).build(), started);
            if (this.watchers != started) {
                // One of them ended while the other was being started: the restart it scheduled starts both again.
                closeAll(started);
            }
        }

        private Watch.Watcher watch(ByteSequence from, WatchOption option, Watch.Watcher[] generation) {
            return EtcdReleaseWatches.this.watch.watch(from, option,
                    Watch.listener(this::onEvents, failure -> ended(generation, failure), () -> ended(generation, null)));
        }

        void stop() {
            Watch.Watcher[] current = this.watchers;
            this.watchers = null;
            if (current != null) {
                closeAll(current);
            }
        }

        private void onEvents(WatchResponse response) {
            for (WatchEvent event : response.getEvents()) {
                if (event.getEventType() == WatchEvent.EventType.DELETE) {
                    EtcdReleaseWatches.this.callbacks.notifyReleased(this.key);
                    return;
                }
            }
        }

        private void ended(Watch.Watcher[] generation, @Nullable Throwable failure) {
            synchronized (EtcdReleaseWatches.this) {
                if (this.watchers != generation) {
                    return;
                }
                this.watchers = null;
            }
            if (failure != null) {
                logger.debug("The release watch of '{}' failed; it is established again", this.key, failure);
            }
            closeAll(generation);
            scheduleRestart(this);
        }

        private static void closeAll(Watch.Watcher[] watchers) {
            for (Watch.Watcher watcher : watchers) {
                if (watcher != null) {
                    watcher.close();
                }
            }
        }

    }

}
