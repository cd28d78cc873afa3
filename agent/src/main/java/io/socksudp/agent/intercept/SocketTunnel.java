package io.socksudp.agent.intercept;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.association.ProxyUnavailableException;
import io.socksudp.agent.socks.UdpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * One application socket's association with the proxy: associated lazily, re-established in the background
 * when the proxy ends it, released when the socket closes; and the peer of a socket connected through it. The
 * framing and unframing is its front-end's ({@link ChannelFrontEnd} for a channel, {@link PacketFrontEnd} for a
 * legacy socket), which is what the advice gets.
 *
 * <p>Threading: the association is shared and volatile, and changes only under this object's lock.
 */
final class SocketTunnel implements Association.LossListener {

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");

    private final AssociationManager associations;
    private final Routing routing;
    private final SocketAccess access;
    private final DropCounters drops;
    private final boolean dropWhenUnavailable;

    private volatile Association association;
    /** Set by the first association: from then on only the relay and bypassed sources are believed. */
    private volatile boolean socksified;
    private volatile boolean closed;

    /** The peer of a connect() through the tunnel (the OS socket is connected to the relay), else null. */
    private volatile InetSocketAddress peer;
    private byte[] peerHeader;
    private volatile int portWhileConnected;

    /** Weak: the tunnel must not keep a dropped socket alive (its collection releases the association). */
    private final WeakReference<Object> socket;
    private final Runnable recovery = new Runnable() {
        @Override
        public void run() {
            recover();
        }
    };
    private volatile long lostAtNanos;

    SocketTunnel(Object socket, AssociationManager associations, Routing routing, SocketAccess access,
                 DropCounters drops, boolean dropWhenUnavailable) {
        this.dropWhenUnavailable = dropWhenUnavailable;
        this.socket = new WeakReference<Object>(socket);
        this.associations = associations;
        this.routing = routing;
        this.access = access;
        this.drops = drops;
    }

    /**
     * The relay to send through, associating first if needed; null when no association can be had and the
     * user chose to drop such datagrams (onUnavailable=drop; the drop is counted). Thread-safe: no send lock.
     */
    InetSocketAddress relayOrDiscard(Object socket) throws IOException {
        try {
            return associated(socket).relay();
        } catch (ProxyUnavailableException e) {
            if (!dropWhenUnavailable) {
                throw e;
            }
            drops.drop(DropReason.PROXY_UNAVAILABLE, e.getMessage());
            return null;
        }
    }

    /** For a connect to {@code target}: the relay when it goes through the proxy (associating first), else null. */
    InetSocketAddress relayForConnect(Object socket, InetSocketAddress target) throws IOException {
        if (target.isUnresolved() || routing.isDirect(target)) {
            return null;
        }
        return associated(socket).relay();
    }

    /** The application's socket (channel or legacy impl), or null once it has been collected. */
    Object socket() {
        return socket.get();
    }

    /** The relay of the current association, or null while there is none. */
    InetSocketAddress currentRelay() {
        Association a = association;
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

    void connected(InetSocketAddress connectedPeer) {
        peerHeader = UdpHeader.encode(connectedPeer);
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
        int before = portWhileConnected;
        portWhileConnected = 0;
        if (before <= 0 || localPort() == before) {
            return;
        }
        Association stale;
        synchronized (this) {
            stale = association;
            association = null;
        }
        if (stale != null) {
            LOG.debug("disconnect moved the socket off port {}; releasing {}", before, stale);
            associations.release(stale);
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

    private Association associated(Object socket) throws IOException {
        Association a = association;
        if (a != null && a.isOpen()) {
            return a;
        }
        synchronized (this) {
            if (closed) {
                throw new ClosedChannelException();
            }
            a = association;
            if (a == null || !a.isOpen()) {
                a = associations.open(associations.needsLocalAddress() ? access.localAddress(socket) : null, this);
                InetSocketAddress connectedTo = peer;
                if (connectedTo != null) {
                    access.reconnect(socket, a.relay()); // a connected socket follows its new relay
                }
                association = a;
                socksified = true;
            }
            return a;
        }
    }

    /** The proxy ended the association: forget it and re-establish it in the background. */
    @Override
    public void lost(Association lost, String cause) {
        synchronized (this) {
            if (association != lost) {
                return;
            }
            association = null;
            lostAtNanos = System.nanoTime();
        }
        if (!closed) {
            LOG.info("{} lost: {}; re-establishing", lost, cause);
            associations.recoverLater(recovery);
        }
    }

    /** One recovery attempt on the recovery thread; on failure, the next one waits out the backoff. */
    private void recover() {
        Object ch = socket.get();
        if (ch == null || closed) {
            return;
        }
        Association before = association;
        try {
            Association a = associated(ch);
            if (a != before) {
                LOG.info("re-established {} {} ms after the loss", a, (System.nanoTime() - lostAtNanos) / 1_000_000);
            }
        } catch (IOException e) {
            LOG.debug("re-establishing failed: {}", e.getMessage());
            associations.recoverLater(recovery);
        }
    }

    /**
     * An I/O error on a socket connected through the tunnel: the OS socket is connected to the relay, so a
     * port-unreachable is the relay's, not the peer's. The association is dead; the error is the agent's to
     * absorb (the datagram is lost, as UDP may lose it) and recovery starts. Returns whether it was absorbed.
     */
    boolean relayFailed(Throwable error) {
        Association a = association;
        if (error instanceof PortUnreachableException && peer != null && a != null) {
            a.lost("the relay answered ICMP port-unreachable");
            return true;
        }
        return false;
    }

    void close() {
        synchronized (this) {
            closed = true;
        }
        Association a = association;
        association = null;
        if (a != null) {
            associations.release(a);
        }
    }

    /** The association, if any; for a collected socket whose tunnel is released from the reaper. */
    Association association() {
        return association;
    }
}
