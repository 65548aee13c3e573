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
 * The release watches of one backend: one etcd watch per key that has waiters, shared by all of them, started by the
 * first waiter and closed with the last. A delete of the key (a release or an expiry) runs the key's callbacks. A
 * watch that fails or ends is established again after a short pause and wakes every waiter of the key at once, since
 * a delete may have been missed meanwhile.
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

    ReleaseSubscription register(ByteSequence storedKey, Runnable onRelease) {
        String key = storedKey.toString();
        ReleaseSubscription registration = this.callbacks.add(key, onRelease);
        synchronized (this) {
            if (this.closed) {
                registration.close();
                return () -> { };
            }
            KeyWatch keyWatch = this.byKey.computeIfAbsent(key, k -> new KeyWatch(storedKey, key));
            keyWatch.users++;
            if (keyWatch.watcher == null) {
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

    /** The watch of one key. Its fields are guarded by the enclosing instance. */
    private final class KeyWatch {

        private final ByteSequence storedKey;

        private final String key;

        private int users;

        private Watch.@Nullable Watcher watcher;

        KeyWatch(ByteSequence storedKey, String key) {
            this.storedKey = storedKey;
            this.key = key;
        }

        void start() {
            Watch.Watcher[] self = new Watch.Watcher[1];
            self[0] = EtcdReleaseWatches.this.watch.watch(this.storedKey, WatchOption.builder().withNoPut(true).build(),
                    Watch.listener(this::onEvents, failure -> ended(self[0], failure), () -> ended(self[0], null)));
            this.watcher = self[0];
        }

        void stop() {
            Watch.Watcher current = this.watcher;
            this.watcher = null;
            if (current != null) {
                current.close();
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

        private void ended(Watch.@Nullable Watcher ended, @Nullable Throwable failure) {
            synchronized (EtcdReleaseWatches.this) {
                if (ended == null || this.watcher != ended) {
                    return;
                }
                this.watcher = null;
            }
            if (failure != null) {
                logger.debug("The release watch of '{}' failed; it is established again", this.key, failure);
            }
            ended.close();
            scheduleRestart(this);
        }

    }

}
