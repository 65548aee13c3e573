package io.github.distlock.core.spi;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release-callback bookkeeping that the backends' subscriptions share.
 */
class ReleaseCallbacksTests {

    private final ReleaseCallbacks callbacks = new ReleaseCallbacks();

    @Test
    void theSameCallbackRegisteredTwiceIsTwoRegistrationsAndClosingOneKeepsTheOther() {
        AtomicInteger calls = new AtomicInteger();
        Runnable callback = calls::incrementAndGet;
        ReleaseSubscription first = this.callbacks.add("k", callback);
        this.callbacks.add("k", callback);
        this.callbacks.notifyReleased("k");
        assertThat(calls).hasValue(2);
        first.close();
        first.close();
        assertThat(this.callbacks.registered()).isOne();
        this.callbacks.notifyReleased("k");
        assertThat(calls).hasValue(3);
    }

    @Test
    void onlyTheReleasedKeysCallbacksRunAndEveryoneRunsOnceWhenReleasesMayHaveBeenMissed() {
        AtomicInteger a = new AtomicInteger();
        AtomicInteger b = new AtomicInteger();
        this.callbacks.add("a", a::incrementAndGet);
        this.callbacks.add("b", b::incrementAndGet);
        this.callbacks.notifyReleased("a");
        assertThat(a).hasValue(1);
        assertThat(b).hasValue(0);
        this.callbacks.notifyEveryone();
        assertThat(a).hasValue(2);
        assertThat(b).hasValue(1);
    }

    @Test
    void aCallbackThatThrowsDoesNotKeepTheOthersFromRunning() {
        AtomicInteger calls = new AtomicInteger();
        this.callbacks.add("k", () -> {
            throw new IllegalStateException("a broken waiter");
        });
        this.callbacks.add("k", calls::incrementAndGet);
        this.callbacks.notifyReleased("k");
        assertThat(calls).hasValue(1);
    }

    @Test
    void clearingRemovesEveryRegistrationAndALateCloseChangesNothing() {
        ReleaseSubscription registration = this.callbacks.add("k", () -> { });
        this.callbacks.clear();
        registration.close();
        assertThat(this.callbacks.registered()).isZero();
    }

}
