package io.socksudp.agent.intercept;

import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.bootstrap.ChannelTunnel;
import io.socksudp.agent.bootstrap.DatagramHooks;
import io.socksudp.agent.bootstrap.PacketTunnel;
import io.socksudp.agent.bootstrap.UdpTunnel;
import io.socksudp.agent.config.LazyLogger;
import org.slf4j.Logger;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;

/**
 * The agent's side of the bootstrap bridge ({@link DatagramHooks}): finds each application socket's tunnel in the
 * {@link SocketRegistry}, creating it on first use, and releases it when the socket closes (a socket collected
 * unclosed is the registry's to release). A channel's tunnel is a {@link ChannelFrontEnd},
 * a legacy impl's a {@link PacketFrontEnd}; each has a {@link AssociatedSocket} behind it.
 *
 * <p>No failure of ours may reach the JDK's code as anything but an {@link IOException}: an unexpected
 * exception on the send path becomes an IOException (the datagram is not sent: fail closed).
 */
public final class TunnelHooks implements DatagramHooks {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");

    /** Each socket's front end, held weakly; its reaper releases what the application dropped unclosed. */
    private final SocketRegistry registry = new SocketRegistry();
    private final AssociationManager associations;
    private final Routing routing;
    /** Set when the NIO strategy activates (its layout is known only once DatagramChannelImpl loads). */
    private volatile ChannelAccess access;
    private final DropCounters drops = new DropCounters();
    private final boolean dropWhenUnavailable;
    /** For legacy DatagramSocketImpls; null until that strategy activates (if ever). */
    private volatile PacketAccess packetAccess;

    public TunnelHooks(AssociationManager associations, Routing routing, ChannelAccess access,
                          boolean dropWhenUnavailable) {
        this(associations, routing, access, null, dropWhenUnavailable);
    }

    public TunnelHooks(AssociationManager associations, Routing routing, ChannelAccess access,
                          PacketAccess packetAccess, boolean dropWhenUnavailable) {
        this.packetAccess = packetAccess;
        this.dropWhenUnavailable = dropWhenUnavailable;
        this.associations = associations;
        this.routing = routing;
        this.access = access;
    }

    /**
     * For an attach rolled back before any datagram went through these hooks: the registry's reaper thread ends. (Sockets
     * are not touched: none has an association yet.)
     */
    public void stop() {
        registry.stop();
    }

    /**
     * The NIO strategy's access to DatagramChannelImpl, given when it activates: before the channel class is
     * transformed, so before any advice can ask for a tunnel.
     */
    public void useChannelAccess(ChannelAccess channelAccess) {
        this.access = channelAccess;
    }

    /** The legacy strategy's access, given when it activates, before its classes are transformed. */
    public void usePacketAccess(PacketAccess legacyAccess) {
        this.packetAccess = legacyAccess;
    }

    @Override
    public ChannelTunnel sendTunnel(Object channel, InetSocketAddress target) throws IOException {
        try {
            return channelTunnel(tunnel(channel)).forSend(channel, target);
        } catch (RuntimeException e) { // ours: an IOException is the JDK's or the proxy's and passes as it is
            throw internalError(e);
        }
    }

    @Override
    public ChannelTunnel sendTunnelForName(Object channel, SocketAddress target) throws IOException {
        if (!(target instanceof InetSocketAddress) || !((InetSocketAddress) target).isUnresolved()) {
            return null; // the common case, decided without a lookup
        }
        try {
            return channelTunnel(tunnel(channel)).forNamedSend(channel, (InetSocketAddress) target);
        } catch (RuntimeException e) { // ours: an IOException is the JDK's or the proxy's and passes as it is
            throw internalError(e);
        }
    }

    @Override
    public ChannelTunnel peerTunnel(Object channel) {
        ChannelFrontEnd t = channelTunnel(registry.get(channel));
        return t == null ? null : t.forPeer();
    }

    @Override
    public ChannelTunnel peerSendTunnel(Object channel) throws IOException {
        try {
            TunnelFrontEnd known = registry.get(channel);
            if (known == null && channel instanceof DatagramChannel && ((DatagramChannel) channel).isConnected()) {
                known = tunnel(channel); // connected before the agent was attached: see newTunnel
            }
            ChannelFrontEnd t = channelTunnel(known);
            return t == null ? null : t.forPeerSend(channel);
        } catch (RuntimeException e) { // ours: an IOException is the JDK's or the proxy's and passes as it is
            throw internalError(e);
        }
    }

    @Override
    public UdpTunnel connectTunnel(Object channel, SocketAddress peer) throws IOException {
        if (!(peer instanceof InetSocketAddress)) {
            return null; // the JDK rejects it as usual
        }
        try {
            TunnelFrontEnd t = tunnel(channel);
            InetSocketAddress relay = t.tunnel().relayForConnect(channel, (InetSocketAddress) peer);
            return relay == null ? null : t.connectingTo(relay);
        } catch (RuntimeException e) { // ours: an IOException is the JDK's or the proxy's and passes as it is
            throw internalError(e);
        }
    }

    @Override
    public void disconnected(Object channel) {
        TunnelFrontEnd t = registry.get(channel);
        if (t != null) {
            t.tunnel().disconnected();
        }
    }

    @Override
    public ChannelTunnel receiveTunnel(Object channel) {
        return channelTunnel(tunnel(channel));
    }

    @Override
    public void timedReceive(Object channel, long deadlineNanos) {
        ChannelFrontEnd t = channelTunnel(deadlineNanos == 0 ? registry.get(channel) : tunnel(channel));
        if (t != null) {
            t.timedReceive(deadlineNanos);
        }
    }

    @Override
    public InetSocketAddress sender(Object channel) {
        ChannelFrontEnd t = channelTunnel(registry.get(channel));
        return t == null ? null : t.reportedSender();
    }

    @Override
    public void closed(Object channel) {
        TunnelFrontEnd t = registry.remove(channel);
        if (t != null) {
            t.tunnel().close();
        }
    }

    @Override
    public PacketTunnel packetTunnel(Object impl) throws IOException {
        PacketAccess packetAccess = this.packetAccess;
        if (packetAccess == null || !packetAccess.isPlainImpl(impl)) {
            // JDK 8's DatagramSocket.send is advised for every impl: one we cannot see into must not send.
            throw new IOException("socksudp: cannot tunnel a DatagramSocket with a custom DatagramSocketImpl ("
                    + (impl == null ? "none" : impl.getClass().getName()) + "); the datagram was not sent");
        }
        if (packetAccess.isClosed(impl)) {
            return null; // the JDK throws "Socket is closed"; never associate on behalf of a closed socket
        }
        return (PacketFrontEnd) tunnel(impl);
    }

    /**
     * The tunnel of a socket whose I/O is native (Netty's native channels), creating it on first use; {@code access}
     * reaches its OS socket. A socket found closed meanwhile has its tunnel closed at once (as for channels).
     */
    public NativeFrontEnd nativeTunnel(Object socket, SocketAccess access, boolean open) {
        TunnelFrontEnd t = registry.get(socket);
        if (t == null) {
            WeakIdentityMap.Key<Object, TunnelFrontEnd> key = registry.newKey(socket);
            t = registry.putIfAbsent(key, new NativeFrontEnd(new AssociatedSocket(key, associations, routing, access,
                    drops, dropWhenUnavailable), routing, drops));
            if (!open) {
                closed(socket);
            }
        }
        return (NativeFrontEnd) t;
    }

    /** The native socket's tunnel, or null when it has none (it has sent nothing through the proxy yet). */
    public NativeFrontEnd existingNativeTunnel(Object socket) {
        TunnelFrontEnd t = registry.get(socket);
        return t instanceof NativeFrontEnd ? (NativeFrontEnd) t : null;
    }

    public DropCounters drops() {
        return drops;
    }

    /** The channel's front-end: a channel's tunnel is always one (see {@link #tunnel}). */
    private static ChannelFrontEnd channelTunnel(TunnelFrontEnd t) {
        return (ChannelFrontEnd) t;
    }

    private TunnelFrontEnd tunnel(Object socket) {
        TunnelFrontEnd t = registry.get(socket);
        if (t == null) {
            WeakIdentityMap.Key<Object, TunnelFrontEnd> key = registry.newKey(socket);
            t = registry.putIfAbsent(key, newTunnel(socket, key));
            if (socket instanceof Channel && !((Channel) socket).isOpen()) {
                closed(socket); // lost a race with close(): never leave an association behind
            }
        }
        return t;
    }

    /** The tunnel of {@code socket}, which holds it through {@code key} (the map's weak reference to it). */
    private TunnelFrontEnd newTunnel(Object socket, WeakReference<Object> key) {
        PacketAccess packetAccess = this.packetAccess;
        ChannelAccess access = this.access;
        if (socket instanceof Channel && associations.isAgentSocket(socket)) {
            // The associate=auto check's own sockets: plain, whatever they send to (the relay, framed by the check).
            return new ChannelFrontEnd(new AssociatedSocket(key, associations, Routing.EVERYTHING_DIRECT, access, drops,
                    dropWhenUnavailable), Routing.EVERYTHING_DIRECT, access, drops);
        }
        boolean legacy = !(socket instanceof Channel) && packetAccess != null;
        AssociatedSocket tunnel = new AssociatedSocket(key, associations, routing, legacy ? packetAccess : access,
                drops, dropWhenUnavailable);
        // A socket first seen already connected was connected before the agent was attached (every connect the
        // agent sees makes the tunnel before connecting): if its peer is proxied, its sends must not go out.
        InetSocketAddress connected = legacy ? packetAccess.connectedPeer(socket) : remoteOf(socket);
        if (connected != null && !routing.isDirect(connected)) {
            tunnel.connectedAroundAgent(connected);
        }
        return legacy ? new PacketFrontEnd(tunnel, routing, packetAccess, drops)
                : new ChannelFrontEnd(tunnel, routing, access, drops);
    }

    private static InetSocketAddress remoteOf(Object socket) {
        if (!(socket instanceof DatagramChannel)) {
            return null;
        }
        try {
            SocketAddress remote = ((DatagramChannel) socket).getRemoteAddress();
            return remote instanceof InetSocketAddress ? (InetSocketAddress) remote : null;
        } catch (IOException closed) {
            return null;
        }
    }

    private static IOException internalError(RuntimeException e) {
        LOG.error("socksudp internal error; the datagram was not sent", e);
        return new IOException("socksudp internal error; the datagram was not sent: " + e, e);
    }
}
