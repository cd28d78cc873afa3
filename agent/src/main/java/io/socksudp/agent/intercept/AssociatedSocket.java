package io.socksudp.agent.intercept;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.association.PendingAssociation;
import io.socksudp.agent.association.ProxyUnavailableException;
import io.socksudp.agent.association.SelfHealingAssociation;
import io.socksudp.agent.config.LazyLogger;
import org.slf4j.Logger;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * One application socket's side of its association: the relay to send to (waiting for a set-up as the socket's
 * kind of wait requires), the peer of a socket connected through it, and following a new relay. The association's
 * life (opened on demand, re-established in the background when the proxy ends it, released when the socket
 * closes) is its {@link SelfHealingAssociation}'s, for which this is the {@link SelfHealingAssociation.Owner}. The
 * framing and unframing is its front-end's ({@link ChannelFrontEnd} for a channel, {@link PacketFrontEnd} for a
 * legacy socket), which is what the advice gets.
 *
 * <p>Threading: a set-up runs on the association executor ({@link PendingAssociation}), never under the JDK's locks:
 * callers wait for it (or, on a non-blocking channel, do not), and {@link #close()} cancels it at once.
 */
final class AssociatedSocket implements SelfHealingAssociation.Owner {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");

    private final SelfHealingAssociation association;
    private final Routing routing;
    private final SocketAccess access;
    private final DropCounters drops;
    private final boolean dropWhenUnavailable;

    /** Set by the first association: from then on only the relay and bypassed sources are believed. */
    private volatile boolean socksified;
    /** The route through the current association's relay (see {@link #routeVia}); null before the first send. */
    private volatile SendRoute route;

    /** The peer of a connect() through the tunnel (the OS socket is connected to the relay), else null. */
    private volatile InetSocketAddress peer;
    private byte[] peerHeader;
    private volatile int portWhileConnected;

    /**
     * Weak: the tunnel must not keep a dropped socket alive (its collection releases the association). The
     * tunnels map's key for the socket, which is such a reference already.
     */
    private final WeakReference<Object> socket;
    private final boolean channel;
    /**
     * The proxied peer this socket's OS socket was connected to before the agent first saw it (it was attached to
     * a running JVM after the connect), else null: such a socket's sends would go straight to the peer, so they
     * fail until it connects again or disconnects (fail closed).
     */
    private volatile InetSocketAddress connectedAroundAgent;

    AssociatedSocket(WeakReference<Object> socket, AssociationManager associations, Routing routing,
            SocketAccess access, DropCounters drops, boolean dropWhenUnavailable) {
        this.dropWhenUnavailable = dropWhenUnavailable;
        this.socket = socket;
        this.channel = socket.get() instanceof Channel;
        this.association = new SelfHealingAssociation(associations, this);
        this.routing = routing;
        this.access = access;
        this.drops = drops;
    }

    /** How a caller waits for an association being set up. */
    enum Wait {
        /** Not at all (a non-blocking channel, an event loop): {@link SendRoute#PENDING} while the set-up runs. */
        NONE,
        /** Until the deadline; an interrupt ends the wait (a blocking channel's send, as the JDK's). */
        INTERRUPTIBLE,
        /** Until the deadline, keeping the interrupt status (legacy sockets, connect: never interruptible). */
        UNINTERRUPTIBLE
    }

    /**
     * Where a proxied send goes: through the relay, associating first if needed; {@link SendRoute#DISCARD} when no
     * association can be had and the user chose to drop such datagrams (onUnavailable=drop; the drop is counted);
     * {@link SendRoute#PENDING} while a set-up runs and {@code wait} is NONE. Holds no lock while waiting: a close
     * wins at once.
     */
    SendRoute route(Object socket, Wait wait) throws IOException {
        try {
            Association a = association.ifOpen();
            if (a == null) {
                PendingAssociation setup = association.setUp();
                a = wait == Wait.NONE ? setup.poll() : await(setup, wait == Wait.INTERRUPTIBLE);
                if (a == null) {
                    return SendRoute.PENDING;
                }
            }
            return routeVia(a.relay());
        } catch (ProxyUnavailableException e) {
            if (!dropWhenUnavailable) {
                throw e;
            }
            drops.drop(DropReason.PROXY_UNAVAILABLE, e.getMessage());
            return SendRoute.DISCARD;
        }
    }

    /** The route through {@code relay}: the one kept for the current association, made when the relay changed. */
    private SendRoute routeVia(InetSocketAddress relay) {
        SendRoute r = route;
        if (r == null || !r.isVia(relay)) {
            r = SendRoute.via(relay);
            route = r; // a race makes one more, never a wrong one
        }
        return r;
    }

    /** For a connect to {@code target}: the relay when it goes through the proxy (associating first), else null. */
    InetSocketAddress relayForConnect(Object socket, InetSocketAddress target) throws IOException {
        if (target.isUnresolved() || routing.isDirect(target)) {
            return null;
        }
        Association a = association.ifOpen();
        return (a != null ? a : await(association.setUp(), false)).relay();
    }

    private static Association await(PendingAssociation setup, boolean interruptible) throws IOException {
        try {
            return setup.await(interruptible);
        } catch (InterruptedIOException e) {
            // As the JDK's own blocking channel operations: the interrupt closed the channel (its interruptor ran).
            ClosedByInterruptException closedByInterrupt = new ClosedByInterruptException();
            closedByInterrupt.initCause(e);
            throw closedByInterrupt;
        }
    }

    /** The set-up in progress, or null (none, or it has just ended: {@link #route} then tells). */
    PendingAssociation pendingSetUp() {
        return association.pendingSetUp();
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        Object s = socket.get();
        if (s == null) {
            throw closedError(false);
        }
        return access.localAddress(s);
    }

    /** Under the association's lock: a connected socket follows its new relay. */
    @Override
    public void relayChanged(Association a) throws IOException {
        Object s = socket.get();
        if (s == null) {
            throw closedError(true);
        }
        if (peer != null) {
            access.reconnect(s, a.relay());
        }
        socksified = true;
    }

    @Override
    public boolean gone() {
        return socket.get() == null;
    }

    @Override
    public IOException closedError(boolean meanwhile) {
        if (!channel) {
            return new SocketException("Socket closed"); // what a legacy DatagramSocket reports
        }
        return meanwhile ? new AsynchronousCloseException() : new ClosedChannelException();
    }

    /** The application's socket (channel or legacy impl), or null once it has been collected. */
    Object socket() {
        return socket.get();
    }

    /** The relay of the current association, or null while there is none. */
    InetSocketAddress currentRelay() {
        Association a = association.association();
        return a == null ? null : a.relay();
    }

    /** True once the socket has had an association: from then on only the relay and bypassed sources count. */
    boolean socksified() {
        return socksified;
    }

    /** The peer the socket is connected to through the tunnel, else null. */
    InetSocketAddress peer() {
        return peer;
    }

    /** The SOCKS header for the connected peer, encoded once at connect. */
    byte[] peerHeader() {
        return peerHeader;
    }

    /** See {@link #connectedAroundAgent}; set once, when the tunnel is made. */
    void connectedAroundAgent(InetSocketAddress directPeer) {
        connectedAroundAgent = directPeer;
    }

    /** Throws when the socket is connected to a proxied peer around the agent (see {@link #connectedAroundAgent}). */
    void failIfConnectedAroundAgent() throws IOException {
        InetSocketAddress p = connectedAroundAgent;
        if (p != null) {
            throw new IOException("socksudp: this socket was connected to " + p + " before the agent was attached,"
                    + " so its datagrams would bypass the proxy; the datagram was not sent (disconnect and connect"
                    + " the socket again to send through the proxy)");
        }
    }

    void connected(InetSocketAddress connectedPeer) {
        connectedAroundAgent = null;
        peerHeader = PeerHeader.headerFor(connectedPeer);
        peer = connectedPeer;
        portWhileConnected = localPort();
    }

    /**
     * Before JDK 15, disconnecting on Linux can unbind a port the socket never bound explicitly, and the socket
     * then sends from a new one; the relay knows the client by its old port (RFC 1928 section 7), so the
     * association is released and the next send opens one for the new port.
     */
    void disconnected() {
        peer = null;
        connectedAroundAgent = null;
        int before = portWhileConnected;
        portWhileConnected = 0;
        if (before <= 0 || localPort() == before) {
            return;
        }
        Association stale = association.releaseCurrent();
        if (stale != null) {
            LOG.debug("disconnect moved the socket off port {}; released {}", before, stale);
        }
    }

    /** The socket's local port, or -1 when unknown (closed, collected, unbound). */
    private int localPort() {
        Object ch = socket.get();
        if (!(ch instanceof DatagramChannel)) {
            return -1;
        }
        try {
            SocketAddress local = ((DatagramChannel) ch).getLocalAddress();
            return local instanceof InetSocketAddress ? ((InetSocketAddress) local).getPort() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * An I/O error on a socket connected through the tunnel: the OS socket is connected to the relay, so a
     * port-unreachable is the relay's, not the peer's. The association is dead; the error is the agent's to
     * absorb (the datagram is lost, as UDP may lose it) and recovery starts. Returns whether it was absorbed.
     */
    boolean relayFailed(Throwable error) {
        if (!(error instanceof PortUnreachableException) || peer == null) {
            return false;
        }
        Association a = association.association();
        if (a != null) {
            a.lost("the relay answered ICMP port-unreachable");
        }
        // With no association (just lost, being re-established, perhaps through another proxy), the OS socket is
        // still connected to the old relay, so the error is that relay's too: absorbed, never the application's.
        return true;
    }

    /** The socket is closing: a set-up in progress is cancelled (its waiters fail at once), the association released. */
    void close() {
        association.close();
    }

    /** The association, if any; for a collected socket whose tunnel is released from the reaper. */
    Association association() {
        return association.association();
    }
}
