package io.github.distlock.core.spi;

/**
 * Capability: every {@link AcquireResult#granted(long) granted} result carries a fencing token strictly greater
 * than every token this service issued before for the same key, including across key expiry and, where the
 * service keeps data, across a restart. A backend must achieve this without keeping a record forever for every
 * distinct key ever locked, and must document how (a sequence, a creation zxid, a create revision, a counter
 * combined with server time).
 *
 * <p>The protected resource remembers the highest token it accepted and rejects older ones; that, not the lock,
 * is what stops a holder that paused past its lease.
 *
 * @since 0.1.0
 */
public interface FencingLeaseBackend extends LeaseBackend {
}
