package io.socksudp.agent.intercept;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.association.LossBackoff;
import io.socksudp.agent.association.PendingAssociation;
import io.socksudp.agent.association.ProxyUnavailableException;
import io.socksudp.agent.metrics.Metrics;
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
 * One application socket's association with the proxy: associated lazily, re-established in the background
 * when the proxy ends it, released when the socket closes; and the peer of a socket connected through it. The
 * framing and unframing is its front-end's ({@link ChannelFrontEnd} for a channel, {@link PacketFrontEnd} for a
 * legacy socket), which is what the advice gets.
 *
 * <p>Threading: the association is shared and volatile, and changes only under this object's lock. A set-up runs
 * on the association executor ({@link PendingAssociation}), never under this lock nor under the JDK's: callers
 * wait for it (or, on a non-blocking channel, do not), and {@link #close()} cancels it at once.
 */
final class SocketTunnel implements Association.LossListener, PendingAssociation.Completion {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");
    /** From this many young losses in a row on one socket, its losses are logged at debug only. */
    private static final int QUIET_STREAK = 3;

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

    /**
     * Weak: the tunnel must not keep a dropped socket alive (its collection releases the association). The
     * tunnels map's key for the socket, which is such a reference already.
     */
    private final WeakReference<Object> socket;
    private volatile long lostAtNanos;
    /** The proxy of the association lost last: a re-association through another one is a move, logged as such. */
    private volatile String lostProxy;
    /** Set from a loss until the association is back; the set-up's completion then reports the recovery. */
    private boolean recovering;
    /** Losses are logged at debug: a storm (logged once by the manager) or a streak of this socket's own. */
    private volatile boolean quietLosses;
    /** This socket's own losses; made at the first (most sockets never lose an association). */
    private volatile LossBackoff losses;
    /** The set-up in progress, if any (under this object's lock). */
    private PendingAssociation pending;
    private final boolean channel;
    /**
     * The proxied peer this socket's OS socket was connected to before the agent first saw it (it was attached to
     * a running JVM after the connect), else null: such a socket's sends would go straight to the peer, so they
     * fail until it connects again or disconnects (fail closed).
     */
    private volatile InetSocketAddress connectedAroundAgent;

    SocketTunnel(WeakReference<Object> socket, AssociationManager associations, Routing routing, SocketAccess access,
                 DropCounters drops, boolean dropWhenUnavailable) {
        this.dropWhenUnavailable = dropWhenUnavailable;
        this.socket = socket;
        this.channel = socket.get() instanceof Channel;
        this.associations = associations;
        this.routing = routing;
        this.access = access;
        this.drops = drops;
    }

    /** How a caller waits for an association being set up. */
    enum Wait {
        /** Not at all (a non-blocking channel): {@link #PENDING} while the set-up runs. */
        NONE,
        /** Until the deadline; an interrupt ends the wait (a blocking channel's send, as the JDK's). */
        INTERRUPTIBLE,
        /** Until the deadline, keeping the interrupt status (legacy sockets, connect: never interruptible). */
        UNINTERRUPTIBLE
    }

    /** Returned instead of a relay while the set-up runs and the caller must not wait (compared by identity). */
    static final InetSocketAddress PENDING = InetSocketAddress.createUnresolved("socksudp-setup-pending.invalid", 1);

    /**
     * The relay to send through, associating first if needed; null when no association can be had and the
     * user chose to drop such datagrams (onUnavailable=drop; the drop is counted); {@link #PENDING} while a
     * set-up runs and {@code wait} is NONE. Holds no lock while waiting: a close wins at once.
     */
    InetSocketAddress relayOrDiscard(Object socket, Wait wait) throws IOException {
        try {
            return relay(socket, wait);
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
        return relay(socket, Wait.UNINTERRUPTIBLE);
    }

    private InetSocketAddress relay(Object socket, Wait wait) throws IOException {
        Association a = association;
        if (a != null && a.isOpen()) {
            return a.relay();
        }
        PendingAssociation setup = setUp(socket);
        if (wait == Wait.NONE) {
            a = setup.poll();
            return a == null ? PENDING : a.relay();
        }
        try {
            a = setup.await(wait == Wait.INTERRUPTIBLE);
        } catch (InterruptedIOException e) {
            // As the JDK's own blocking channel operations: the interrupt closed the channel (its interruptor ran).
            ClosedByInterruptException closedByInterrupt = new ClosedByInterruptException();
            closedByInterrupt.initCause(e);
            throw closedByInterrupt;
        }
        return a.relay();
    }

    /** The set-up in progress, or null (none, or it has just ended: {@link #relayOrDiscard} then tells). */
    synchronized PendingAssociation pendingSetUp() {
        return pending;
    }

    /** The set-up in progress for this socket, starting one if there is none; a failed one when none may start. */
    private PendingAssociation setUp(Object socket) throws IOException {
        synchronized (this) {
            if (closed) {
                throw closedError(false);
            }
            Association a = association;
            if (a != null && a.isOpen()) {
                return PendingAssociation.ready(a);
            }
            if (pending != null) {
                return pending;
            }
            long now = System.nanoTime();
            long wait = Math.max(lossWaitNanos(now), associations.reassociationWaitNanos());
            if (wait > 0) {
                return PendingAssociation.failed(new ProxyUnavailableException("associations via SOCKS5 proxy "
                        + associations.proxyName() + " keep ending (within " + LossBackoff.YOUNG_NANOS / 1_000_000
                        + " ms of being granted, or more often than the proxy's cap of re-associations allows);"
                        + " the next attempt is paced to " + wait / 1_000_000 + " ms from now"),
                        associations.proxyName());
            }
            InetSocketAddress local = associations.needsLocalAddress() ? access.localAddress(socket) : null;
            PendingAssociation setup = associations.openLater(local, this, this);
            if (!setup.isDone()) {
                pending = setup; // the completion, which needs this lock, clears it
            }
            return setup;
        }
    }

    /** The set-up's completion (this tunnel is its own: a field holding one would cost every socket 16 bytes). */
    @Override
    public IOException completed(PendingAssociation setup, Association a, IOException failure) {
        return setUpDone(setup, a, failure);
    }

    /** On the set-up thread: puts the new association in place (or gives it back, the socket being gone). */
    private IOException setUpDone(PendingAssociation setup, Association a, IOException failure) {
        boolean giveBack = false;
        boolean wasRecovering;
        IOException replaced = null;
        synchronized (this) {
            if (pending == setup) {
                pending = null;
            }
            wasRecovering = recovering;
            Object s = socket.get();
            if (a != null) {
                if (closed || s == null) {
                    giveBack = true;
                    replaced = closedError(true);
                } else {
                    if (peer != null) {
                        try {
                            access.reconnect(s, a.relay()); // a connected socket follows its new relay
                        } catch (IOException e) {
                            giveBack = true;
                            replaced = e;
                        }
                    }
                    if (!giveBack) {
                        association = a;
                        socksified = true;
                        recovering = false;
                    }
                }
            }
        }
        if (giveBack) {
            associations.release(a);
        } else if (a != null && !a.isOpen()) {
            // The proxy ended it before it was in place (the monitor's report found another association then):
            // account for the loss here, or a proxy that ends each association at once would never be paced.
            lost(a, "the proxy ended it as soon as it was granted");
            return replaced;
        }
        if (!wasRecovering) {
            return replaced;
        }
        if (a != null && !giveBack) {
            Metrics.associationReestablished();
            long ms = (System.nanoTime() - lostAtNanos) / 1_000_000;
            String from = lostProxy;
            if (from != null && !from.equals(a.proxy())) {
                // Failover: peers now see this socket at another relay (another address), which they must accept.
                LOG.info("re-established {} {} ms after the loss, moved from SOCKS5 proxy {} (peers now see this"
                        + " socket at the new relay's address)", a, ms, from);
            } else if (quietLosses) {
                LOG.debug("re-established {} {} ms after the loss", a, ms);
            } else {
                LOG.info("re-established {} {} ms after the loss", a, ms);
            }
        } else if (!closed && socket.get() != null) {
            LOG.debug("re-establishing failed: {}", (replaced != null ? replaced : failure).getMessage());
            scheduleRecovery();
        }
        return replaced;
    }

    private IOException closedError(boolean meanwhile) {
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

    /** The proxy ended the association: forget it and re-establish it in the background, paced. */
    @Override
    public void lost(Association lost, String cause) {
        long now = System.nanoTime();
        synchronized (this) {
            if (association != lost) {
                return;
            }
            association = null;
            lostAtNanos = now;
            lostProxy = lost.proxy();
            recovering = true;
        }
        long lifetime = now - lost.establishedNanos();
        LossBackoff losses = losses();
        losses.lost(lifetime, now);
        boolean[] logAtInfo = {true};
        // The slot the proxy's re-association cap reserved for this socket: the socket keeps it, so
        // neither the recovery thread nor the application's own send re-associates before it.
        losses.deferUntil(now + associations.lost(lost, lifetime, cause, logAtInfo), now);
        quietLosses = !logAtInfo[0] || losses.streak() >= QUIET_STREAK;
        if (!closed) {
            if (quietLosses) {
                LOG.debug("{} lost after {} ms: {}; re-establishing", lost, lifetime / 1_000_000, cause);
            } else {
                LOG.info("{} lost: {}; re-establishing", lost, cause);
            }
            scheduleRecovery();
        }
    }

    private LossBackoff losses() {
        LossBackoff l = losses;
        if (l == null) {
            synchronized (this) {
                l = losses;
                if (l == null) {
                    l = new LossBackoff();
                    losses = l;
                }
            }
        }
        return l;
    }

    private long lossWaitNanos(long now) {
        LossBackoff l = losses;
        return l == null ? 0 : l.waitNanos(now);
    }

    private void scheduleRecovery() {
        long now = System.nanoTime();
        // A new Runnable per attempt: recoveries are rare, and a field would cost every socket its 16 bytes.
        associations.recoverLater(new Runnable() {
            @Override
            public void run() {
                recover();
            }
        }, Math.max(lossWaitNanos(now), associations.reassociationWaitNanos()));
    }

    /** One recovery attempt on the recovery thread: starts a set-up; its completion reports or retries. */
    private void recover() {
        Object ch = socket.get();
        if (ch == null || closed) {
            return;
        }
        Association a = association;
        if (a != null && a.isOpen()) {
            return;
        }
        try {
            PendingAssociation setup = setUp(ch);
            if (setup.isDone()) {
                setup.poll(); // failed before it started (backing off): throws
            }
        } catch (IOException e) {
            LOG.debug("re-establishing failed: {}", e.getMessage());
            if (!closed) {
                scheduleRecovery();
            }
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
        Association a = association;
        if (a != null) {
            a.lost("the relay answered ICMP port-unreachable");
        }
        // With no association (just lost, being re-established, perhaps through another proxy), the OS socket is
        // still connected to the old relay, so the error is that relay's too: absorbed, never the application's.
        return true;
    }

    /** The socket is closing: a set-up in progress is cancelled (its waiters fail at once), the association released. */
    void close() {
        PendingAssociation setup;
        Association a;
        synchronized (this) {
            closed = true;
            setup = pending;
            pending = null;
            a = association;
            association = null;
        }
        if (setup != null) {
            setup.cancel(closedError(true));
        }
        if (a != null) {
            associations.release(a);
        }
    }

    /** The association, if any; for a collected socket whose tunnel is released from the reaper. */
    Association association() {
        return association;
    }
}
