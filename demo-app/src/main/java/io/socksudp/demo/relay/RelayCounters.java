package io.socksudp.demo.relay;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** Running totals of a relay, safe to read from any thread while it runs. */
public final class RelayCounters {
    private final AtomicLong associationsOpened = new AtomicLong();
    private final AtomicLong associationsClosed = new AtomicLong();
    private final AtomicLong datagramsToRemote = new AtomicLong();
    private final AtomicLong datagramsToClient = new AtomicLong();
    private final AtomicLong connectionsRejected = new AtomicLong();
    private final AtomicLongArray dropped = new AtomicLongArray(DropReason.values().length);

    public long associationsOpened() {
        return associationsOpened.get();
    }

    public long associationsClosed() {
        return associationsClosed.get();
    }

    /** Client datagrams sent on to their destination. */
    public long datagramsToRemote() {
        return datagramsToRemote.get();
    }

    /** Remote hosts' datagrams sent, wrapped, to a client. */
    public long datagramsToClient() {
        return datagramsToClient.get();
    }

    /** Control connections that ended without an association. */
    public long connectionsRejected() {
        return connectionsRejected.get();
    }

    public long datagramsDropped() {
        long total = 0;
        for (int i = 0; i < dropped.length(); i++) {
            total += dropped.get(i);
        }
        return total;
    }

    public long datagramsDropped(DropReason reason) {
        return dropped.get(reason.ordinal());
    }

    /** A snapshot holding only the reasons that occurred. */
    public Map<DropReason, Long> droppedByReason() {
        Map<DropReason, Long> snapshot = new EnumMap<>(DropReason.class);
        for (DropReason reason : DropReason.values()) {
            long n = datagramsDropped(reason);
            if (n > 0) {
                snapshot.put(reason, n);
            }
        }
        return snapshot;
    }

    @Override
    public String toString() {
        return "associations " + associationsOpened() + " opened / " + associationsClosed() + " closed, datagrams "
                + datagramsToRemote() + " to remote / " + datagramsToClient() + " to client, dropped "
                + droppedByReason() + ", rejected connections " + connectionsRejected();
    }

    void associationOpened() {
        associationsOpened.incrementAndGet();
    }

    void associationClosed() {
        associationsClosed.incrementAndGet();
    }

    void relayedToRemote() {
        datagramsToRemote.incrementAndGet();
    }

    void relayedToClient() {
        datagramsToClient.incrementAndGet();
    }

    void rejected() {
        connectionsRejected.incrementAndGet();
    }

    void dropped(DropReason reason) {
        dropped.incrementAndGet(reason.ordinal());
    }
}
