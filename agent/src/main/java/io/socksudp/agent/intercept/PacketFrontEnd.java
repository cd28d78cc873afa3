package io.socksudp.agent.intercept;

import io.socksudp.agent.bootstrap.PacketTunnel;
import io.socksudp.agent.bootstrap.UdpTunnel;
import io.socksudp.agent.metrics.Metrics;
import io.socksudp.agent.config.LazyLogger;
import org.slf4j.Logger;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A legacy {@code java.net.AbstractPlainDatagramSocketImpl}'s tunnel as its advice sees it: frames and
 * unframes DatagramPackets, with the packets and caches that let a datagram go either way without allocating.
 *
 * <p>Threading: the JDK takes no send lock on a legacy socket, so the send side claims its {@link PacketSendSlot}
 * with a CAS; the impl's receive is synchronized, so the receive side has one receiver at a time.
 */
final class PacketFrontEnd extends PacketTunnel implements TunnelFrontEnd {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");

    private final AssociatedSocket tunnel;
    private final Routing routing;
    private final PacketAccess access;
    private final RelayedDatagrams relayed;

    /** The relay a connect through the tunnel connects the OS socket to; read by the connecting thread. */
    private InetSocketAddress connectRelay;

    private volatile PacketSendSlot sendSlot;
    private final AtomicBoolean sendSlotBusy = new AtomicBoolean();

    // Receive side (the impl's synchronized receive), into the thread's packet (ThreadBuffers).
    private volatile boolean joinedGroups;

    PacketFrontEnd(AssociatedSocket tunnel, Routing routing, PacketAccess access, DropCounters drops) {
        this.tunnel = tunnel;
        this.routing = routing;
        this.access = access;
        this.relayed = new RelayedDatagrams(drops);
    }

    @Override
    public AssociatedSocket tunnel() {
        return tunnel;
    }

    @Override
    public UdpTunnel connectingTo(InetSocketAddress relay) {
        connectRelay = relay;
        return this;
    }

    @Override
    public InetSocketAddress relay() {
        return connectRelay;
    }

    @Override
    public void connected(InetSocketAddress peer) {
        tunnel.connected(peer);
        try {
            access.discardQueued(tunnel.socket());
        } catch (IOException e) {
            LOG.debug("discarding datagrams queued before connect: {}", e.toString());
        }
    }

    @Override
    public boolean relayFailed(Throwable error) {
        return tunnel.relayFailed(error);
    }

    @Override
    public Send frame(Object impl, DatagramPacket packet) throws IOException {
        InetSocketAddress connectedTo = tunnel.peer();
        if (connectedTo != null) {
            return frameForPeer(impl, packet, connectedTo);
        }
        tunnel.failIfConnectedAroundAgent();
        InetAddress address = packet.getAddress();
        if (address == null) {
            return Send.DIRECT; // the JDK rejects it as usual
        }
        int port = packet.getPort();
        PacketSendSlot slot = claimSendSlot();
        boolean framed = false;
        try {
            if (!slot.isFor(address, port)) {
                InetSocketAddress target = new InetSocketAddress(address, port); // a new destination only
                slot.lastDirect = routing.isDirect(target);
                slot.lastHeader = slot.lastDirect ? null : PeerHeader.headerFor(target);
                slot.lastAddress = address;
                slot.lastPort = port;
            }
            if (slot.lastDirect) {
                Metrics.sentDirectly();
                return Send.DIRECT;
            }
            SendRoute route = tunnel.route(impl, AssociatedSocket.Wait.UNINTERRUPTIBLE);
            if (!route.sends()) {
                return Send.DISCARDED; // a wait never leaves it pending
            }
            InetSocketAddress relay = route.relay();
            fill(slot, slot.lastHeader, packet);
            slot.packet.setAddress(relay.getAddress());
            slot.packet.setPort(relay.getPort());
            framed = true;
            return Send.FRAMED;
        } finally {
            if (!framed) {
                releaseSendSlot(slot.packet);
            }
        }
    }

    /**
     * Connected through the tunnel: the OS socket is connected to the relay and the JDK's native send ignores
     * the packet's address. The framed packet carries the application's address and port, so JDK 8's
     * DatagramSocket.send (advised on the caller's side) checks them against the peer exactly as without us.
     */
    private Send frameForPeer(Object impl, DatagramPacket packet, InetSocketAddress connectedTo)
            throws IOException {
        if (packet.getAddress() == null) { // as DatagramSocket.send does on a connected socket
            packet.setAddress(connectedTo.getAddress());
            packet.setPort(connectedTo.getPort());
        }
        if (!tunnel.route(impl, AssociatedSocket.Wait.UNINTERRUPTIBLE).sends()) {
            return Send.DISCARDED;
        }
        PacketSendSlot slot = claimSendSlot();
        fill(slot, tunnel.peerHeader(), packet);
        slot.packet.setAddress(packet.getAddress());
        access.setPort(slot.packet, packet.getPort());
        return Send.FRAMED;
    }

    @Override
    public DatagramPacket framedPacket() {
        return ThreadBuffers.get().takeFramedPacket();
    }

    /**
     * Frames {@code payload} behind {@code header} into {@code slot}'s packet, in the sending thread's array, and
     * leaves that packet with the thread for {@link #framedPacket()}: the slot may be a fresh one (contention), so
     * the socket's own cannot tell which packet this thread framed.
     */
    private void fill(PacketSendSlot slot, byte[] header, DatagramPacket payload) {
        int length = payload.getLength();
        ThreadBuffers buffers = ThreadBuffers.get();
        buffers.framedPacket(slot.packet);
        byte[] out = buffers.packetSend(header.length + length);
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(payload.getData(), payload.getOffset(), out, header.length, length);
        slot.packet.setData(out, 0, header.length + length);
        slot.payloadLength = length;
        if (slot != sendSlot) {
            Metrics.sentThroughProxy(length); // a fresh slot under contention: packetSent cannot tell it apart
        }
    }

    private PacketSendSlot claimSendSlot() {
        if (sendSlotBusy.compareAndSet(false, true)) {
            PacketSendSlot slot = sendSlot;
            if (slot == null) {
                slot = new PacketSendSlot();
                sendSlot = slot;
            }
            return slot;
        }
        return new PacketSendSlot(); // another thread is sending on this socket right now
    }

    private void releaseSendSlot(DatagramPacket framed) {
        PacketSendSlot slot = sendSlot;
        if (slot != null && framed == slot.packet) {
            sendSlotBusy.set(false);
        }
    }

    @Override
    public boolean packetSent(DatagramPacket framed, Throwable thrown) {
        PacketSendSlot slot = sendSlot;
        if (thrown == null && slot != null && framed == slot.packet) {
            Metrics.sentThroughProxy(slot.payloadLength); // a slot made under contention counted itself in fill()
        }
        releaseSendSlot(framed);
        return thrown != null && relayFailed(thrown);
    }

    @Override
    public DatagramPacket receivePacket() {
        return ThreadBuffers.get().receivePacket();
    }

    @Override
    public boolean receivedPacket(Object impl, DatagramPacket caller) {
        ThreadBuffers buffers = ThreadBuffers.get();
        DatagramPacket datagram = buffers.receivePacket(); // the one receivePacket() gave this thread on entry
        InetAddress from = datagram.getAddress();
        int fromPort = datagram.getPort();
        InetSocketAddress relay = tunnel.currentRelay();
        if (relay != null && fromPort == relay.getPort() && from.equals(relay.getAddress())) {
            ByteBuffer view = buffers.receiveView();
            view.clear();
            view.limit(datagram.getLength());
            if (!relayed.accept(view, relay, tunnel.peer())) {
                return false;
            }
            int headerLength = relayed.headerLength();
            InetSocketAddress sender = relayed.sender();
            Metrics.receivedThroughProxy(datagram.getLength() - headerLength);
            deliver(datagram, headerLength, sender.getAddress(), sender.getPort(), caller);
            return true;
        }
        if (tunnel.peer() == null && (!tunnel.socksified() || joinedGroups
                || routing.acceptsDirectFrom(new InetSocketAddress(from, fromPort)))) {
            deliver(datagram, 0, from, fromPort, caller); // a plain socket so far, bypassed, or a group's
            return true;
        }
        relayed.notFromRelay(from + ":" + fromPort);
        return false;
    }

    /** Copies the payload into the caller's packet, truncating to its buffer as the JDK's receive does. */
    private void deliver(DatagramPacket datagram, int headerLength, InetAddress sender, int port,
                         DatagramPacket caller) {
        int length = Math.min(datagram.getLength() - headerLength, access.bufLength(caller));
        System.arraycopy(datagram.getData(), headerLength, caller.getData(), caller.getOffset(), length);
        access.setReceived(caller, sender, port, length);
    }

    @Override
    public void joinedGroup() {
        joinedGroups = true;
    }
}
