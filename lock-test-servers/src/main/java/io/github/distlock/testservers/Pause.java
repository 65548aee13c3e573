package io.github.distlock.testservers;

import java.time.Duration;

/**
 * The one sleep of the launchers' polling loops. An interrupt ends the wait and the start-up: the flag stays set and
 * the caller gets an {@link IllegalStateException}.
 */
final class Pause {

    /** Between two checks of whether a server answers. */
    static final Duration POLL = Duration.ofMillis(50);

    private Pause() {
    }

    static void of(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
