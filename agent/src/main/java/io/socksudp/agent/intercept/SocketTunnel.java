package io.socksudp.agent.intercept;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.association.ProxyUnavailableException;
import io.socksudp.agent.bootstrap.UdpTunnel;
import io.socksudp.agent.socks.UdpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's state for one application socket: its association with the proxy, and the buffers and
 * caches that let a datagram be framed and unframed without allocating.
 *
 * <p>Threading: the JDK calls the send side only under the channel's write lock and the receive side only
 * under its read lock, so each side's fields have a single writer at a time; the association is shared and
 * volatile.
 */
final class SocketTunnel extends UdpTunnel implements Association.LossListener {

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");

    /** Large enough for any UDP datagram the OS can deliver (IPv4: 65507 payload bytes; IPv6: 65527). */
    private static final int RECEIVE_CAPACITY = 65536;

    private final AssociationManager associations;
    private final Routing routing;
    private final ChannelAccess access;
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

    // Send side (channel write lock).
    private boolean discard;
    private ByteBuffer sendBuffer;
    private InetSocketAddress sendRelay;
    private InetSocketAddress lastTarget;
    private boolean lastTargetDirect;
    private byte[] lastTargetHeader;

    // Receive side (channel read lock).
    private ByteBuffer receiveBuffer;
    /** What the JDK's sourceSocketAddress() reports for the datagram just received; see SourceAddress advice. */
    private InetSocketAddress pendingSender;
    private byte[] lastSenderHeader;
    private InetSocketAddress lastSender;
    /** The real source of the previous datagram, handed back to ChannelAccess for reuse. */
    private InetSocketAddress lastSource;
    private final ByteBuffer[] gathered = new ByteBuffer[1];
    private ByteBuffer scatterBuffer;

    // Legacy DatagramSocketImpl (see the packet methods at the end).
    private volatile PacketSendSlot sendSlot;
    private final AtomicBoolean sendSlotBusy = new AtomicBoolean();
    /** Receive side: the impl's receive is synchronized, so one receiver at a time. */
    private DatagramPacket receivePacket;
    private ByteBuffer receiveView;
    private volatile boolean joinedGroups;

    /** Weak: the tunnel must not keep a dropped socket alive (its collection releases the association). */
    private final WeakReference<Object> channel;
    private final Runnable recovery = new Runnable() {
        @Override
        public void run() {
            recover();
        }
    };
    private volatile long lostAtNanos;

    SocketTunnel(Object channel, AssociationManager associations, Routing routing, ChannelAccess access,
                 DropCounters drops, boolean dropWhenUnavailable) {
        this.dropWhenUnavailable = dropWhenUnavailable;
        this.channel = new WeakReference<Object>(channel);
        this.associations = associations;
        this.routing = routing;
        this.access = access;
        this.drops = drops;
    }

    /** This tunnel when {@code target} goes through the proxy (associating first if needed), else null. */
    UdpTunnel forSend(Object channel, InetSocketAddress target) throws IOException {
        Association current = association;
        if (current != null && target == current.relay()) {
            return null; // framed already, on the way in (a send to a host name): our own relay address object
        }
        if (!sameDestination(target, lastTarget)) {
            lastTargetDirect = routing.isDirect(target);
            lastTargetHeader = lastTargetDirect ? null : UdpHeader.encode(target);
        }
        lastTarget = target; // so frame() finds it by identity
        if (lastTargetDirect) {
            return null;
        }
        return readyToSend(channel);
    }

    /** This tunnel with its association in place, or marked to discard (onUnavailable=drop). */
    private UdpTunnel readyToSend(Object channel) throws IOException {
        try {
            sendRelay = associated(channel).relay();
            discard = false;
        } catch (ProxyUnavailableException e) {
            if (!dropWhenUnavailable) {
                throw e;
            }
            discard = true;
            drops.drop(DropReason.PROXY_UNAVAILABLE, e.getMessage());
        }
        return this;
    }

    @Override
    public boolean discarding() {
        return discard;
    }

    /**
     * By value, without allocating: DatagramSocket.send builds a new InetSocketAddress for every datagram (from
     * the packet's InetAddress, the same object each time), so identity alone would miss on every send.
     */
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

    /** This tunnel when {@code target} is a host name the proxy is to resolve, else null. */
    UdpTunnel forNamedSend(Object channel, InetSocketAddress target) throws IOException {
        if (!target.isUnresolved() || routing.isDirect(target)) {
            return null; // resolved (the private send frames it), or bypassed: the JDK rejects it as usual
        }
        return readyToSend(channel);
    }

    /** This tunnel when connecting to {@code target} goes through the proxy (associating first), else null. */
    UdpTunnel forConnect(Object channel, InetSocketAddress target) throws IOException {
        if (target.isUnresolved() || routing.isDirect(target)) {
            return null;
        }
        sendRelay = associated(channel).relay();
        return this;
    }

    /** This tunnel when the socket is connected through it, else null. */
    UdpTunnel forPeer() {
        return peer != null ? this : null;
    }

    /** As {@link #forPeer()}, for a send: with the association (re-)established, or marked to discard. */
    UdpTunnel forPeerSend(Object channel) throws IOException {
        return peer != null ? readyToSend(channel) : null;
    }

    @Override
    public void connected(InetSocketAddress connectedPeer) {
        peerHeader = UdpHeader.encode(connectedPeer);
        peer = connectedPeer;
        portWhileConnected = localPort();
        if (access instanceof PacketAccess) {
            Object impl = channel.get();
            try {
                ((PacketAccess) access).discardQueued(impl);
            } catch (IOException e) {
                LOG.debug("discarding datagrams queued before connect: {}", e.toString());
            }
        }
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
        Object ch = channel.get();
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

    private Association associated(Object channel) throws IOException {
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
                a = associations.open(associations.needsLocalAddress() ? access.localAddress(channel) : null, this);
                InetSocketAddress connectedTo = peer;
                if (connectedTo != null) {
                    access.reconnect(channel, a.relay()); // a connected socket follows its new relay
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
        Object ch = channel.get();
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
    @Override
    public boolean relayFailed(Throwable error) {
        Association a = association;
        if (error instanceof PortUnreachableException && peer != null && a != null) {
            a.lost("the relay answered ICMP port-unreachable");
            return true;
        }
        return false;
    }

    @Override
    public ByteBuffer frame(ByteBuffer payload, InetSocketAddress target) {
        return frame(payload, target == lastTarget ? lastTargetHeader : UdpHeader.encode(target));
    }

    @Override
    public ByteBuffer frameForPeer(ByteBuffer payload) {
        return frame(payload, peerHeader);
    }

    @Override
    public ByteBuffer[] frameForPeer(ByteBuffer[] srcs, int offset, int length) {
        byte[] header = peerHeader;
        int total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        ByteBuffer out = sendBuffer(header.length + total);
        out.put(header);
        for (int i = offset; i < offset + length; i++) {
            int position = srcs[i].position();
            out.put(srcs[i]);
            srcs[i].position(position);
        }
        out.flip();
        gathered[0] = out;
        return gathered;
    }

    private ByteBuffer frame(ByteBuffer payload, byte[] header) {
        int length = payload.remaining();
        ByteBuffer out = sendBuffer(header.length + length);
        out.put(header);
        int position = payload.position();
        out.put(payload);
        payload.position(position); // consumed only once the JDK reports the datagram sent
        out.flip();
        return out;
    }

    private ByteBuffer sendBuffer(int needed) {
        ByteBuffer b = sendBuffer;
        if (b == null || b.capacity() < needed) {
            int capacity = Math.max(needed, b == null ? 2048 : Math.min(2 * b.capacity(), RECEIVE_CAPACITY + 512));
            b = ByteBuffer.allocateDirect(Math.max(capacity, needed));
            sendBuffer = b;
        }
        b.clear();
        return b;
    }

    @Override
    public boolean framedAlready(ByteBuffer src) {
        return src == sendBuffer;
    }

    @Override
    public InetSocketAddress relay() {
        return sendRelay;
    }

    @Override
    public int sent(ByteBuffer payload, int written) {
        if (written <= 0) {
            return written; // would block, or nothing sent: the payload stays unconsumed, as in the JDK
        }
        int length = payload.remaining();
        payload.position(payload.limit());
        return length;
    }

    @Override
    public long sent(ByteBuffer[] srcs, int offset, int length, long written) {
        if (written <= 0) {
            return written;
        }
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
            srcs[i].position(srcs[i].limit());
        }
        return total;
    }

    @Override
    public ByteBuffer receiveBuffer() {
        ByteBuffer b = receiveBuffer;
        if (b == null) {
            b = ByteBuffer.allocateDirect(RECEIVE_CAPACITY);
            receiveBuffer = b;
        }
        b.clear();
        pendingSender = null;
        return b;
    }

    @Override
    public int received(Object channel, ByteBuffer dst, int n) throws IOException {
        if (n < 0) {
            return n; // nothing received (would block, interrupted): pass the JDK's status through
        }
        ByteBuffer datagram = receiveBuffer;
        datagram.flip();
        InetSocketAddress source = access.actualSource(channel, lastSource);
        lastSource = source;
        Association a = association;
        if (a != null && source.equals(a.relay())) {
            return unwrap(datagram, dst, source);
        }
        if (!socksified || routing.acceptsDirectFrom(source) || access.hasJoinedGroups(channel)) {
            pendingSender = source;
            return deliver(datagram, dst); // a plain socket so far, a bypassed peer, or a group member
        }
        drops.drop(DropReason.NOT_FROM_RELAY, source);
        return UNAVAILABLE;
    }

    @Override
    public int readFromPeer(Object channel, ByteBuffer dst) throws IOException {
        int position = dst.position();
        SocketAddress from = ((DatagramChannel) channel).receive(dst);
        return from == null ? 0 : dst.position() - position;
    }

    @Override
    public long readFromPeer(Object channel, ByteBuffer[] dsts, int offset, int length) throws IOException {
        ByteBuffer datagram = scatterBuffer;
        if (datagram == null) {
            datagram = ByteBuffer.allocate(RECEIVE_CAPACITY);
            scatterBuffer = datagram;
        }
        datagram.clear();
        if (((DatagramChannel) channel).receive(datagram) == null) {
            return 0;
        }
        datagram.flip();
        // Scatter in order, as the kernel would; what does not fit is truncated, as the JDK truncates.
        long copied = 0;
        for (int i = offset; i < offset + length && datagram.hasRemaining(); i++) {
            int chunk = Math.min(dsts[i].remaining(), datagram.remaining());
            int end = datagram.limit();
            datagram.limit(datagram.position() + chunk);
            dsts[i].put(datagram);
            datagram.limit(end);
            copied += chunk;
        }
        return copied;
    }

    private int unwrap(ByteBuffer datagram, ByteBuffer dst, InetSocketAddress relay) {
        int headerLength = vet(datagram, relay);
        if (headerLength < 0) {
            return UNAVAILABLE;
        }
        datagram.position(datagram.position() + headerLength);
        return deliver(datagram, dst);
    }

    /**
     * Parses the relayed datagram's header, works out its sender (pendingSender) and applies a connected
     * socket's filter; returns the header length, or a negative value after counting the drop.
     */
    private int vet(ByteBuffer datagram, InetSocketAddress relay) {
        int headerLength = UdpHeader.parse(datagram);
        if (headerLength < 0) {
            drops.drop(reasonFor(headerLength), relay);
            return headerLength;
        }
        InetSocketAddress sender = lastSender;
        if (sender == null || !UdpHeader.addressEquals(datagram, lastSenderHeader)) {
            sender = UdpHeader.decodeAddress(datagram);
            byte[] header = new byte[headerLength];
            datagram.duplicate().get(header); // a new sender: allocation is fine off the repeat path
            lastSenderHeader = header;
            lastSender = sender;
        }
        InetSocketAddress connectedTo = peer;
        if (connectedTo != null && !connectedTo.equals(sender)) {
            drops.drop(DropReason.NOT_FROM_PEER, sender); // connected: only the peer's datagrams, as the JDK
            return UdpHeader.MALFORMED;
        }
        pendingSender = sender;
        return headerLength;
    }

    private static DropReason reasonFor(int parseResult) {
        if (parseResult == UdpHeader.FRAGMENTED) {
            return DropReason.FRAGMENTED;
        }
        if (parseResult == UdpHeader.BAD_ADDRESS_TYPE) {
            return DropReason.BAD_ADDRESS_TYPE;
        }
        return DropReason.MALFORMED;
    }

    /** Copies the datagram into the caller's buffer, truncating silently as the JDK does. */
    private static int deliver(ByteBuffer datagram, ByteBuffer dst) {
        int length = Math.min(datagram.remaining(), dst.remaining());
        if (length < datagram.remaining()) {
            datagram.limit(datagram.position() + length);
        }
        dst.put(datagram);
        return length;
    }

    /**
     * The sender to report for the datagram just received: the peer from the SOCKS header if relayed, the
     * real source if delivered directly; null while the source is still being read.
     */
    @Override
    public InetSocketAddress reportedSender() {
        return pendingSender;
    }

    @Override
    public boolean repeatAfterDrop(Object channel) {
        receiveBuffer(); // cleared for the repeated receive, which reuses the buffer swapped in on entry
        return channel instanceof SelectableChannel && ((SelectableChannel) channel).isBlocking();
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

    // ---- Legacy DatagramSocketImpl: the same tunnel, with DatagramPackets instead of ByteBuffers. ----

    @Override
    public DatagramPacket framePacket(Object impl, DatagramPacket packet) throws IOException {
        InetSocketAddress connectedTo = peer;
        if (connectedTo != null) {
            return frameForPeer(impl, packet, connectedTo);
        }
        InetAddress address = packet.getAddress();
        if (address == null) {
            return packet; // the JDK rejects it as usual
        }
        int port = packet.getPort();
        PacketSendSlot slot = claimSendSlot();
        boolean framed = false;
        try {
            if (!slot.isFor(address, port)) {
                InetSocketAddress target = new InetSocketAddress(address, port); // a new destination only
                slot.lastDirect = routing.isDirect(target);
                slot.lastHeader = slot.lastDirect ? null : UdpHeader.encode(target);
                slot.lastAddress = address;
                slot.lastPort = port;
            }
            if (slot.lastDirect) {
                return packet;
            }
            InetSocketAddress relay = relayForPacket(impl);
            if (relay == null) {
                return null;
            }
            fill(slot, slot.lastHeader, packet);
            slot.packet.setAddress(relay.getAddress());
            slot.packet.setPort(relay.getPort());
            framed = true;
            return slot.packet;
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
    private DatagramPacket frameForPeer(Object impl, DatagramPacket packet, InetSocketAddress connectedTo)
            throws IOException {
        if (packet.getAddress() == null) { // as DatagramSocket.send does on a connected socket
            packet.setAddress(connectedTo.getAddress());
            packet.setPort(connectedTo.getPort());
        }
        if (relayForPacket(impl) == null) {
            return null;
        }
        PacketSendSlot slot = claimSendSlot();
        fill(slot, peerHeader, packet);
        slot.packet.setAddress(packet.getAddress());
        ((PacketAccess) access).setPort(slot.packet, packet.getPort());
        return slot.packet;
    }

    /** The relay, associating first; null when discarding (onUnavailable=drop). Thread-safe: no send lock. */
    private InetSocketAddress relayForPacket(Object impl) throws IOException {
        try {
            return associated(impl).relay();
        } catch (ProxyUnavailableException e) {
            if (!dropWhenUnavailable) {
                throw e;
            }
            drops.drop(DropReason.PROXY_UNAVAILABLE, e.getMessage());
            return null;
        }
    }

    private static void fill(PacketSendSlot slot, byte[] header, DatagramPacket payload) {
        int length = payload.getLength();
        byte[] out = slot.buffer(header.length + length);
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(payload.getData(), payload.getOffset(), out, header.length, length);
        slot.packet.setData(out, 0, header.length + length);
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
        releaseSendSlot(framed);
        return thrown != null && relayFailed(thrown);
    }

    @Override
    public DatagramPacket receivePacket() {
        DatagramPacket p = receivePacket;
        if (p == null) {
            byte[] buffer = new byte[RECEIVE_CAPACITY];
            p = new DatagramPacket(buffer, buffer.length);
            receiveView = ByteBuffer.wrap(buffer);
            receivePacket = p;
        }
        pendingSender = null;
        return p;
    }

    @Override
    public boolean receivedPacket(Object impl, DatagramPacket caller) {
        DatagramPacket datagram = receivePacket;
        InetAddress from = datagram.getAddress();
        int fromPort = datagram.getPort();
        Association a = association;
        InetSocketAddress relay = a == null ? null : a.relay();
        if (relay != null && fromPort == relay.getPort() && from.equals(relay.getAddress())) {
            ByteBuffer view = receiveView;
            view.clear();
            view.limit(datagram.getLength());
            int headerLength = vet(view, relay);
            if (headerLength < 0) {
                return false;
            }
            InetSocketAddress sender = pendingSender;
            deliverPacket(datagram, headerLength, sender.getAddress(), sender.getPort(), caller);
            return true;
        }
        if (peer == null && (!socksified || joinedGroups
                || routing.acceptsDirectFrom(new InetSocketAddress(from, fromPort)))) {
            deliverPacket(datagram, 0, from, fromPort, caller); // a plain socket so far, bypassed, or a group's
            return true;
        }
        drops.drop(DropReason.NOT_FROM_RELAY, from + ":" + fromPort);
        return false;
    }

    /** Copies the payload into the caller's packet, truncating to its buffer as the JDK's receive does. */
    private void deliverPacket(DatagramPacket datagram, int headerLength, InetAddress sender, int port,
                               DatagramPacket caller) {
        PacketAccess packets = (PacketAccess) access;
        int length = Math.min(datagram.getLength() - headerLength, packets.bufLength(caller));
        System.arraycopy(datagram.getData(), headerLength, caller.getData(), caller.getOffset(), length);
        packets.setReceived(caller, sender, port, length);
    }

    @Override
    public void joinedGroup() {
        joinedGroups = true;
    }
}
