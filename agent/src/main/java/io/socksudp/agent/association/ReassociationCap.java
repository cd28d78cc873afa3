package io.socksudp.agent.association;

/**
 * A hard cap on re-associations per proxy, whatever the cause and the age of the associations lost: at most
 * {@link #BURST} at once, then one every {@link #INTERVAL_NANOS} (16 a second). {@link LossBackoff} paces young
 * losses only, so a proxy (or a relay, or a middlebox) that lets each association live a little past
 * {@link LossBackoff#YOUNG_NANOS} and then ends it had every socket re-associate at once, forever: with many sockets,
 * hundreds of handshakes a second against one proxy. Each loss reserves its re-association a slot of its own
 * (a generic cell rate: the slots of a burst are free, the rest follow at the interval), so the sockets of a proxy
 * that restarts come back in order, the first {@link #BURST} at once, without waking each other to race for a turn.
 * The wait is the socket's, kept in its {@link LossBackoff}; a lost socket's own send is paced by it too. Thread-safe.
 */
public final class ReassociationCap {

    /** Re-associations allowed at once (a proxy restart with this many sockets loses no time). */
    public static final int BURST = 64;
    /** Then one every 62.5 ms: 16 a second, 960 a minute per proxy. */
    public static final long INTERVAL_NANOS = 62_500_000L;

    /** Before the first reservation (a real reading of {@link System#nanoTime()} is never this, in practice). */
    static final long UNSET = Long.MIN_VALUE;

    /** The theoretical arrival time of the next slot (GCRA): slots before {@code now} are free. */
    private long nextSlot = UNSET;

    /** Reserves the slot of one re-association after a loss at {@code now}; returns how long it must wait. */
    public synchronized long reserve(long now) {
        long slot = slot(nextSlot, now, BURST, INTERVAL_NANOS);
        nextSlot = slot + INTERVAL_NANOS;
        return Math.max(0, slot - now);
    }

    /**
     * The GCRA's next slot, {@code next} (or {@link #UNSET}) as of {@code now}, for {@code burst} at once then one per
     * {@code interval}: the caller keeps {@code slot + interval} as its next. A quiet spell gives the whole burst back,
     * no more. Shared with the per-socket cap ({@link LossBackoff}), which keeps the one long in its own fields.
     */
    static long slot(long next, long now, int burst, long interval) {
        long earliest = now - (burst - 1) * interval;
        return next == UNSET || next - earliest < 0 ? earliest : next;
    }
}
