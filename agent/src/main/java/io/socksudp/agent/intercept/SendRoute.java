package io.socksudp.agent.intercept;

import java.net.InetSocketAddress;

/**
 * Where a proxied send goes, as {@link AssociatedSocket#route} decides it: through the association's relay, not yet
 * (the association is being set up and the caller must not wait: a non-blocking channel, an event loop), or nowhere
 * (no association can be had and {@code onUnavailable=drop}: the drop is counted already). A route through a relay
 * is made once per association and kept by the tunnel, so a send allocates nothing.
 */
final class SendRoute {

    enum Kind {
        /** Send to {@link #relay()}. */
        RELAY,
        /** The set-up is still running: nothing is sent (as when the socket buffer is full). */
        PENDING,
        /** Discarded: the proxy is unavailable and the user chose to drop such datagrams. */
        DISCARD
    }

    static final SendRoute PENDING = new SendRoute(Kind.PENDING, null);
    static final SendRoute DISCARD = new SendRoute(Kind.DISCARD, null);

    private final Kind kind;
    private final InetSocketAddress relay;

    private SendRoute(Kind kind, InetSocketAddress relay) {
        this.kind = kind;
        this.relay = relay;
    }

    static SendRoute via(InetSocketAddress relay) {
        return new SendRoute(Kind.RELAY, relay);
    }

    Kind kind() {
        return kind;
    }

    /** Whether the datagram goes to {@link #relay()}. */
    boolean sends() {
        return kind == Kind.RELAY;
    }

    /** The relay; only for a route of kind {@link Kind#RELAY}. */
    InetSocketAddress relay() {
        if (kind != Kind.RELAY) {
            throw new IllegalStateException("no relay: " + kind);
        }
        return relay;
    }

    /** Whether this is the route through {@code through} (the same relay object). */
    boolean isVia(InetSocketAddress through) {
        return relay == through;
    }
}
