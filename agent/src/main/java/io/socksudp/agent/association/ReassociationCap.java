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

    /** The theoretical arrival time of the next slot (GCRA): slots before {@code now} are free. */
    private long nextSlot;
    private boolean started;

    /** Reserves the slot of one re-association after a loss at {@code now}; returns how long it must wait. */
    public synchronized long reserve(long now) {
        long earliest = now - (BURST - 1) * INTERVAL_NANOS;
        if (!started || nextSlot - earliest < 0) {
            nextSlot = earliest; // a quiet spell gives the whole burst back, no more
            started = true;
        }
        long slot = nextSlot;
        nextSlot += INTERVAL_NANOS;
        return Math.max(0, slot - now);
    }
}
