package io.socksudp.agent.association;

/**
 * Paces re-associations after losses, whatever their cause. An association that the proxy ends young (within
 * {@link #YOUNG_NANOS} of being granted) is as bad as a failed handshake, so no socket re-associates more than
 * twice a second for long: a proxy that grants each association
 * and ends it at once would otherwise be asked again at once, forever (a re-association storm). The first young
 * loss is re-associated at once (a relay may legitimately end one association, e.g. WinGate on an ICMP error);
 * each further one in a row doubles the wait from 250 ms up to 8 s. Only an association that lives past
 * {@link #YOUNG_NANOS}, or a quiet spell without young losses, resets it: a success followed by an immediate loss
 * does not. Whatever the age of what it loses, a socket re-associates at most {@link #SOCKET_BURST} times at once
 * and then once every {@link #SOCKET_INTERVAL_NANOS}: a proxy that lets each association live just past
 * {@link #YOUNG_NANOS} would otherwise be asked twice a second by every socket, forever (the proxy-wide
 * {@link ReassociationCap} bounds the sum, this bounds each socket). Thread-safe.
 */
public final class LossBackoff {

    public static final long YOUNG_NANOS = 500_000_000L;
    static final long FIRST_NANOS = 250_000_000L;
    static final long MAX_NANOS = 8_000_000_000L;
    /** After this long without a young loss, the streak is forgotten. */
    static final long QUIET_NANOS = 30_000_000_000L;
    /** Re-associations a socket may make at once, whatever the age of the associations lost... */
    static final int SOCKET_BURST = 8;
    /** ...then one a second (a GCRA, as in {@link ReassociationCap}; two fields, not an object: this is per socket). */
    static final long SOCKET_INTERVAL_NANOS = 1_000_000_000L;

    private int streak;
    private long lastYoungLoss;
    private long notBefore;
    private boolean waiting;
    private long nextSocketSlot = ReassociationCap.UNSET;
    /** False for the proxy-wide pace of young losses, which {@link ReassociationCap} caps with its own, larger rate. */
    private final boolean socketCapped;

    /** A socket's: young losses paced, and every re-association under the per-socket cap. */
    public LossBackoff() {
        this(true);
    }

    private LossBackoff(boolean socketCapped) {
        this.socketCapped = socketCapped;
    }

    /** A proxy's streak of young losses (any socket's), without the per-socket cap. */
    static LossBackoff proxyWide() {
        return new LossBackoff(false);
    }

    /** Records a loss of an association that lived {@code lifetimeNanos}; returns the wait before the next one. */
    public synchronized long lost(long lifetimeNanos, long now) {
        if (lifetimeNanos >= YOUNG_NANOS || (streak > 0 && now - lastYoungLoss > QUIET_NANOS)) {
            streak = 0;
        }
        if (lifetimeNanos < YOUNG_NANOS) {
            streak++;
            lastYoungLoss = now;
        }
        long wait = streak <= 1 ? 0 : Math.min(FIRST_NANOS << Math.min(streak - 2, 16), MAX_NANOS);
        if (socketCapped) {
            wait = Math.max(wait, socketSlot(now) - now);
        }
        notBefore = now + wait;
        waiting = wait > 0;
        return wait;
    }

    /** Reserves this loss's re-association its slot under the per-socket cap; returns the slot's time. */
    private long socketSlot(long now) {
        long slot = ReassociationCap.slot(nextSocketSlot, now, SOCKET_BURST, SOCKET_INTERVAL_NANOS);
        nextSocketSlot = slot + SOCKET_INTERVAL_NANOS;
        return slot;
    }

    /**
     * Makes the next association wait at least until {@code until} (a slot reserved for it elsewhere, e.g. under
     * the proxy's {@link ReassociationCap}); an earlier one already set stands if later.
     */
    public synchronized void deferUntil(long until, long now) {
        if (until - now <= 0) {
            return;
        }
        if (!waiting || until - notBefore > 0) {
            notBefore = until;
        }
        waiting = true;
    }

    /** How long an association must still wait (0 when it may be opened now). */
    public synchronized long waitNanos(long now) {
        if (!waiting) {
            return 0;
        }
        long left = notBefore - now;
        if (left <= 0) {
            waiting = false;
            return 0;
        }
        return left;
    }

    /** Young losses in a row (0 once an association lasted). */
    public synchronized int streak() {
        return streak;
    }
}
