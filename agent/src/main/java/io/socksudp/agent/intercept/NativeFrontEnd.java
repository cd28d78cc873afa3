package io.socksudp.agent.intercept;

import io.socksudp.agent.association.PendingAssociation;
import io.socksudp.agent.bootstrap.UdpTunnel;
import io.socksudp.agent.metrics.Metrics;
import io.socksudp.agent.socks.UdpHeader;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The tunnel of a socket whose I/O the agent cannot swap buffers in, because native code does it on buffers of its
 * own (Netty's native datagram channels): the strategy frames each outgoing message itself and unwraps each
 * received one, and asks this front-end for the decisions and the bytes. The association, its recovery and release
 * are the {@link AssociatedSocket}'s, as for every other socket.
 *
 * <p>Threading: the strategy calls the send, connect and receive sides from the channel's own event loop thread
 * only (Netty runs all of a channel's I/O there), so the caches have a single writer.
 */
public final class NativeFrontEnd implements TunnelFrontEnd {

    /** The longest SOCKS5 UDP header: a domain name of 255 bytes (3 + 1 + 1 + 255 + 2). */
    public static final int MAX_HEADER = 262;

    private final AssociatedSocket tunnel;
    private final Routing routing;
    private final RelayedDatagrams relayed;

    private InetSocketAddress lastTarget;
    private boolean lastTargetDirect;
    private byte[] lastTargetHeader;
    private InetSocketAddress connecting;
    /** See {@link #strategyState()}; the event loop's only. */
    private Object strategyState;

    private final byte[] headerBytes = new byte[MAX_HEADER];
    private final ByteBuffer header = ByteBuffer.wrap(headerBytes);

    NativeFrontEnd(AssociatedSocket tunnel, Routing routing, DropCounters drops) {
        this.tunnel = tunnel;
        this.routing = routing;
        this.relayed = new RelayedDatagrams(drops);
    }

    @Override
    public AssociatedSocket tunnel() {
        return tunnel;
    }

    /** Not for native sockets: they connect through {@link #connectTarget}. */
    @Override
    public UdpTunnel connectingTo(InetSocketAddress relay) {
        throw new UnsupportedOperationException("a native socket connects through connectTarget");
    }

    /** Whether a datagram to {@code target} goes direct; remembered for {@link #header}, so a stream costs nothing. */
    public boolean isDirect(InetSocketAddress target) {
        if (!sameDestination(target, lastTarget)) {
            lastTargetDirect = routing.isDirect(target);
            lastTargetHeader = lastTargetDirect ? null : PeerHeader.headerFor(target);
            lastTarget = target;
        }
        if (lastTargetDirect) {
            Metrics.sentDirectly();
        }
        return lastTargetDirect;
    }

    /** The SOCKS header for {@code target}, a proxied destination just passed to {@link #isDirect}. */
    public byte[] header(InetSocketAddress target) {
        return target == lastTarget ? lastTargetHeader : UdpHeader.encode(target);
    }

    /**
     * The relay to send through, waiting for the association if it is being set up; throws when none can be had
     * (with onUnavailable=drop too: a native write cannot be reported sent without being sent, so it fails instead,
     * which is counted as a drop).
     */
    public InetSocketAddress relayForSend(Object channel) throws IOException {
        return relayOf(tunnel.route(channel, AssociatedSocket.Wait.UNINTERRUPTIBLE));
    }

    /**
     * Never waits (an event loop's write): the relay when the association is ready, null while it is being set up
     * ({@link #pendingSetUp} then tells when it ends); throws what {@link #relayForSend} throws.
     */
    public InetSocketAddress relayIfReady(Object channel) throws IOException {
        SendRoute route = tunnel.route(channel, AssociatedSocket.Wait.NONE);
        return route.kind() == SendRoute.Kind.PENDING ? null : relayOf(route);
    }

    /** The route's relay; a discarded datagram fails (a native write cannot be reported sent without being sent). */
    private static InetSocketAddress relayOf(SendRoute route) throws IOException {
        if (!route.sends()) {
            throw new IOException("socksudp: no association with the SOCKS5 proxy could be had (onUnavailable=drop);"
                    + " the datagram was dropped");
        }
        return route.relay();
    }

    /** The association's set-up in progress, or null when it has ended meanwhile. */
    public PendingAssociation pendingSetUp() {
        return tunnel.pendingSetUp();
    }

    /**
     * What the strategy keeps for this socket beside the tunnel (Netty: the channel's held writes, its reused frames,
     * its receive caches), else null.
     */
    public Object strategyState() {
        return strategyState;
    }

    public void strategyState(Object state) {
        strategyState = state;
    }

    /** The peer this socket is connected to through the tunnel, else null. */
    public InetSocketAddress peer() {
        return tunnel.peer();
    }

    /** The SOCKS header for {@link #peer()}. */
    public byte[] peerHeader() {
        return tunnel.peerHeader();
    }

    /**
     * For a connect to {@code peer}: the relay its OS socket is to connect to instead (associating first), or null
     * when the peer goes direct. {@link #connectDone} completes it.
     */
    public InetSocketAddress connectTarget(Object channel, InetSocketAddress peer) throws IOException {
        InetSocketAddress relay = tunnel.relayForConnect(channel, peer);
        connecting = relay == null ? null : peer;
        return relay;
    }

    /** The peer of the connect {@link #connectTarget} started, or null; forgotten. */
    public InetSocketAddress connectDone(boolean connected) {
        InetSocketAddress peer = connecting;
        connecting = null;
        if (peer != null && connected) {
            tunnel.connected(peer);
            return peer;
        }
        return null;
    }

    public void disconnected() {
        tunnel.disconnected();
    }

    /** True once the socket has had an association: from then on only the relay and bypassed sources count. */
    public boolean socksified() {
        return tunnel.socksified();
    }

    /** The relay of the current association, or null. */
    public InetSocketAddress currentRelay() {
        return tunnel.currentRelay();
    }

    /** Whether a datagram from {@code source}, not the relay, may be delivered as it is (a bypassed source). */
    public boolean acceptsDirectFrom(InetSocketAddress source) {
        if (routing.acceptsDirectFrom(source)) {
            return true;
        }
        relayed.notFromRelay(source);
        return false;
    }

    /** Where the strategy copies the first bytes (up to {@link #MAX_HEADER}) of a datagram from the relay. */
    public byte[] headerBytes() {
        return headerBytes;
    }

    /**
     * Vets the datagram from {@code relay} whose first {@code copied} bytes are in {@link #headerBytes()}: true when
     * it is to be delivered ({@link #headerLength()} and {@link #sender()} then describe it), false when it was
     * dropped (counted under its cause).
     */
    public boolean accept(int copied, InetSocketAddress relay) {
        header.clear().limit(copied);
        return relayed.accept(header, relay, tunnel.peer());
    }

    /** The SOCKS header's length in the datagram {@link #accept} just accepted: the payload starts after it. */
    public int headerLength() {
        return relayed.headerLength();
    }

    /** The peer named by the datagram {@link #accept} just accepted. */
    public InetSocketAddress sender() {
        return relayed.sender();
    }

    private static boolean sameDestination(InetSocketAddress a, InetSocketAddress b) {
        if (a == b) {
            return true;
        }
        if (b == null || a.getPort() != b.getPort()) {
            return false;
        }
        InetAddress address = a.getAddress();
        if (address == null) {
            return b.getAddress() == null && a.getHostString().equals(b.getHostString());
        }
        return address == b.getAddress() || address.equals(b.getAddress());
    }
}
