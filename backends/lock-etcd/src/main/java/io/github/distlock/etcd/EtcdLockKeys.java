package io.github.distlock.etcd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.etcd.jetcd.ByteSequence;

/**
 * The etcd keys of one lock key: the lock key itself ({@code keyPrefix + key}, as UTF-8) and, for shared leases, the
 * keys beside it, which all start with the lock key followed by the byte {@code 0xFF}:
 * <ul>
 * <li>{@code <lock key> FF "r/" <owner>}: a reader's shared lease, with the owner token as value, on the reader's
 * own etcd lease;</li>
 * <li>{@code <lock key> FF "r"}: the readers' mark, without a lease, put by every reader grant;</li>
 * <li>{@code <lock key> FF "w/" <owner>}: a waiting writer's intent, on an etcd lease of its remaining wait;</li>
 * <li>{@code <lock key> FF "w"}: the writers' mark, without a lease, put by every intent a writer records.</li>
 * </ul>
 * {@code 0xFF} never occurs in UTF-8, so no lock key's stored form contains it: these keys can never be the stored
 * form of another lock key, and the first {@code 0xFF} after the prefix ends the lock key, so two lock keys never
 * share one of them. They start with the key prefix, so a role limited to the prefix reaches them too.
 *
 * <p>Immutable and thread-safe.
 */
final class EtcdLockKeys {

    private static final byte SHARED = (byte) 0xFF;

    private final ByteSequence lock;

    private final byte[] lockBytes;

    EtcdLockKeys(String storedKeyText) {
        this.lockBytes = storedKeyText.getBytes(StandardCharsets.UTF_8);
        this.lock = ByteSequence.from(this.lockBytes);
    }

    /** The lock key: a writer's lease. */
    ByteSequence lock() {
        return this.lock;
    }

    /** The readers' mark: present while readers may hold the key. */
    ByteSequence readersMark() {
        return shared("r");
    }

    /** A reader's shared lease. */
    ByteSequence reader(String ownerToken) {
        return shared("r/" + ownerToken);
    }

    /** The first key of the readers' range. */
    ByteSequence readersStart() {
        return shared("r/");
    }

    /** The end (exclusive) of the readers' range: {@code '0'} follows {@code '/'}. */
    ByteSequence readersEnd() {
        return shared("r0");
    }

    /** The writers' mark: present while writers may wait. */
    ByteSequence writersMark() {
        return shared("w");
    }

    /** A waiting writer's intent. */
    ByteSequence intent(String ownerToken) {
        return shared("w/" + ownerToken);
    }

    /** The first key of the intents' range. */
    ByteSequence intentsStart() {
        return shared("w/");
    }

    /** The end (exclusive) of the intents' range. */
    ByteSequence intentsEnd() {
        return shared("w0");
    }

    private ByteSequence shared(String suffix) {
        byte[] tail = suffix.getBytes(StandardCharsets.UTF_8);
        byte[] key = Arrays.copyOf(this.lockBytes, this.lockBytes.length + 1 + tail.length);
        key[this.lockBytes.length] = SHARED;
        System.arraycopy(tail, 0, key, this.lockBytes.length + 1, tail.length);
        return ByteSequence.from(key);
    }

}
