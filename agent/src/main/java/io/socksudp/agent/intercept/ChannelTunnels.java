package io.socksudp.agent.intercept;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.bootstrap.DatagramHooks;
import io.socksudp.agent.bootstrap.UdpTunnel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.Channel;

/**
 * The agent's side of the bootstrap bridge: finds each application socket's {@link SocketTunnel}, creating
 * it on first use, and releases it when the socket closes or is garbage-collected.
 *
 * <p>No failure of ours may reach the JDK's code as anything but an {@link IOException}: an unexpected
 * exception on the send path becomes an IOException (the datagram is not sent: fail closed).
 */
public final class ChannelTunnels implements DatagramHooks {

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");

    private final WeakIdentityMap<Object, SocketTunnel> tunnels = new WeakIdentityMap<Object, SocketTunnel>();
    private final AssociationManager associations;
    private final Routing routing;
    private final ChannelAccess access;
    private final DropCounters drops = new DropCounters();
    private final boolean dropWhenUnavailable;
    /** For legacy DatagramSocketImpls; null when that strategy is not installed. */
    private final PacketAccess packetAccess;

    public ChannelTunnels(AssociationManager associations, Routing routing, ChannelAccess access,
                          boolean dropWhenUnavailable) {
        this(associations, routing, access, null, dropWhenUnavailable);
    }

    public ChannelTunnels(AssociationManager associations, Routing routing, ChannelAccess access,
                          PacketAccess packetAccess, boolean dropWhenUnavailable) {
        this.packetAccess = packetAccess;
        this.dropWhenUnavailable = dropWhenUnavailable;
        this.associations = associations;
        this.routing = routing;
        this.access = access;
        startReaper();
    }

    @Override
    public UdpTunnel sendTunnel(Object channel, InetSocketAddress target) throws IOException {
        try {
            return tunnel(channel).forSend(channel, target);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw internalError(e);
        }
    }

    @Override
    public UdpTunnel sendTunnelForName(Object channel, SocketAddress target) throws IOException {
        if (!(target instanceof InetSocketAddress) || !((InetSocketAddress) target).isUnresolved()) {
            return null; // the common case, decided without a lookup
        }
        try {
            return tunnel(channel).forNamedSend(channel, (InetSocketAddress) target);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw internalError(e);
        }
    }

    @Override
    public UdpTunnel peerTunnel(Object channel) {
        SocketTunnel t = tunnels.get(channel);
        return t == null ? null : t.forPeer();
    }

    @Override
    public UdpTunnel peerSendTunnel(Object channel) throws IOException {
        SocketTunnel t = tunnels.get(channel);
        try {
            return t == null ? null : t.forPeerSend(channel);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw internalError(e);
        }
    }

    @Override
    public UdpTunnel connectTunnel(Object channel, SocketAddress peer) throws IOException {
        if (!(peer instanceof InetSocketAddress)) {
            return null; // the JDK rejects it as usual
        }
        try {
            return tunnel(channel).forConnect(channel, (InetSocketAddress) peer);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw internalError(e);
        }
    }

    @Override
    public void disconnected(Object channel) {
        SocketTunnel t = tunnels.get(channel);
        if (t != null) {
            t.disconnected();
        }
    }

    @Override
    public UdpTunnel receiveTunnel(Object channel) {
        return tunnel(channel);
    }

    @Override
    public InetSocketAddress sender(Object channel) {
        SocketTunnel t = tunnels.get(channel);
        return t == null ? null : t.reportedSender();
    }

    @Override
    public void closed(Object channel) {
        SocketTunnel t = tunnels.remove(channel);
        if (t != null) {
            t.close();
        }
    }

    @Override
    public UdpTunnel packetTunnel(Object impl) throws IOException {
        if (packetAccess == null || !packetAccess.isPlainImpl(impl)) {
            // JDK 8's DatagramSocket.send is advised for every impl: one we cannot see into must not send.
            throw new IOException("socksudp: cannot tunnel a DatagramSocket with a custom DatagramSocketImpl ("
                    + (impl == null ? "none" : impl.getClass().getName()) + "); the datagram was not sent");
        }
        if (packetAccess.isClosed(impl)) {
            return null; // the JDK throws "Socket is closed"; never associate on behalf of a closed socket
        }
        return tunnel(impl);
    }

    public DropCounters drops() {
        return drops;
    }

    private SocketTunnel tunnel(Object channel) {
        SocketTunnel t = tunnels.get(channel);
        if (t == null) {
            ChannelAccess a = channel instanceof Channel || packetAccess == null ? access : packetAccess;
            t = tunnels.putIfAbsent(channel, new SocketTunnel(channel, associations, routing, a, drops,
                    dropWhenUnavailable));
            if (channel instanceof Channel && !((Channel) channel).isOpen()) {
                closed(channel); // lost a race with close(): never leave an association behind
            }
        }
        return t;
    }

    private static IOException internalError(RuntimeException e) {
        LOG.error("socksudp internal error; the datagram was not sent", e);
        return new IOException("socksudp internal error; the datagram was not sent: " + e, e);
    }

    /** Releases the associations of sockets the application dropped without closing them. */
    private void startReaper() {
        Thread reaper = new Thread(new Runnable() {
            @Override
            public void run() {
                while (true) {
                    try {
                        SocketTunnel t = tunnels.expunge(tunnels.collected().remove());
                        if (t != null) {
                            Association a = t.association();
                            LOG.debug("socket collected without close; releasing {}", a);
                            t.close();
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        LOG.warn("socksudp reaper: {}", e.toString());
                    }
                }
            }
        }, "socksudp-reaper");
        reaper.setDaemon(true);
        reaper.start();
    }
}
