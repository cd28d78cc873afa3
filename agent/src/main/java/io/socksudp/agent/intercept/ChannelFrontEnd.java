package io.socksudp.agent.intercept;

import io.socksudp.agent.bootstrap.ChannelTunnel;
import io.socksudp.agent.bootstrap.UdpTunnel;
import io.socksudp.agent.metrics.Metrics;
import io.socksudp.agent.socks.UdpHeader;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;

/**
 * A {@code sun.nio.ch.DatagramChannelImpl}'s tunnel as its advice sees it: frames and unframes ByteBuffers,
 * with the buffers and caches that let a datagram go either way without allocating.
 *
 * <p>Threading: the JDK calls the send side only under the channel's write lock and the receive side only
 * under its read lock, so each side's fields have a single writer at a time.
 */
final class ChannelFrontEnd extends ChannelTunnel implements TunnelFrontEnd {

    private final AssociatedSocket tunnel;
    private final Routing routing;
    private final ChannelAccess access;
    private final RelayedDatagrams relayed;

    // Send side (channel write lock).
    private boolean discard;
    /** The skipped send is one that would block (set-up pending on a non-blocking channel): it reports 0. */
    private boolean wouldBlock;
    private InetSocketAddress sendRelay;
    /**
     * The last destination, by its parts: the application's InetAddress (DatagramSocket.send builds a new
     * InetSocketAddress for every datagram, which the socket would otherwise keep alive) and port.
     */
    private InetAddress lastTargetAddress;
    private int lastTargetPort = -1;
    private boolean lastTargetDirect;
    private byte[] lastTargetHeader;

    // Receive side (channel read lock). The buffers themselves are the thread's (ThreadBuffers), not the socket's.
    /** What the JDK's sourceSocketAddress() reports for the datagram just received; see SourceAddress advice. */
    private InetSocketAddress pendingSender;
    /** The real source of the previous datagram, handed back to ChannelAccess for reuse. */
    private InetSocketAddress lastSource;
    /** Set and read by the one thread in a socket adaptor's timed receive (it holds the blocking lock). */
    private long timedReceiveDeadline;

    ChannelFrontEnd(AssociatedSocket tunnel, Routing routing, ChannelAccess access, DropCounters drops) {
        this.tunnel = tunnel;
        this.routing = routing;
        this.access = access;
        this.relayed = new RelayedDatagrams(drops);
    }

    @Override
    public AssociatedSocket tunnel() {
        return tunnel;
    }

    /** This tunnel when {@code target} goes through the proxy (associating first if needed), else null. */
    ChannelTunnel forSend(Object channel, InetSocketAddress target) throws IOException {
        InetSocketAddress current = tunnel.currentRelay();
        if (current != null && target == current) {
            return null; // framed already, on the way in (a send to a host name): our own relay address object
        }
        if (!isLastTarget(target)) {
            lastTargetDirect = routing.isDirect(target);
            lastTargetHeader = lastTargetDirect ? null : PeerHeader.headerFor(target);
            lastTargetAddress = target.getAddress(); // null (never matched) for an unresolved one
            lastTargetPort = target.getPort();
        }
        if (lastTargetDirect) {
            Metrics.sentDirectly();
            return null;
        }
        return readyToSend(channel);
    }

    /**
     * This tunnel with its association in place, or marked to skip the JDK's send: discarded (onUnavailable=drop)
     * or, on a non-blocking channel whose association is still being set up, not sent at all, as when the
     * socket buffer is full: the send returns 0 and the payload stays unconsumed (a blocking channel waits for
     * the set-up, interruptibly, as it would for buffer space).
     */
    private ChannelTunnel readyToSend(Object channel) throws IOException {
        boolean blocking = !(channel instanceof SelectableChannel) || ((SelectableChannel) channel).isBlocking();
        SendRoute route = tunnel.route(channel,
                blocking ? AssociatedSocket.Wait.INTERRUPTIBLE : AssociatedSocket.Wait.NONE);
        wouldBlock = route.kind() == SendRoute.Kind.PENDING;
        discard = !route.sends();
        if (!discard) {
            sendRelay = route.relay();
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
    private boolean isLastTarget(InetSocketAddress target) {
        InetAddress address = target.getAddress();
        return address != null && target.getPort() == lastTargetPort
                && (address == lastTargetAddress || address.equals(lastTargetAddress));
    }

    /** This tunnel when {@code target} is a host name the proxy is to resolve, else null. */
    ChannelTunnel forNamedSend(Object channel, InetSocketAddress target) throws IOException {
        if (!target.isUnresolved() || routing.isDirect(target)) {
            return null; // resolved (the private send frames it), or bypassed: the JDK rejects it as usual
        }
        return readyToSend(channel);
    }

    @Override
    public UdpTunnel connectingTo(InetSocketAddress relay) {
        sendRelay = relay;
        return this;
    }

    /** This tunnel when the socket is connected through it, else null. */
    ChannelTunnel forPeer() {
        return tunnel.peer() != null ? this : null;
    }

    /** As {@link #forPeer()}, for a send: with the association (re-)established, or marked to discard. */
    ChannelTunnel forPeerSend(Object channel) throws IOException {
        tunnel.failIfConnectedAroundAgent();
        return tunnel.peer() != null ? readyToSend(channel) : null;
    }

    @Override
    public void connected(InetSocketAddress peer) {
        tunnel.connected(peer);
    }

    @Override
    public boolean relayFailed(Throwable error) {
        return tunnel.relayFailed(error);
    }

    @Override
    public ByteBuffer frame(ByteBuffer payload, InetSocketAddress target) {
        return frame(payload, isLastTarget(target) ? lastTargetHeader : UdpHeader.encode(target));
    }

    @Override
    public ByteBuffer frameForPeer(ByteBuffer payload) {
        return frame(payload, tunnel.peerHeader());
    }

    @Override
    public ByteBuffer[] frameForPeer(ByteBuffer[] srcs, int offset, int length) {
        byte[] header = tunnel.peerHeader();
        int total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        ThreadBuffers buffers = ThreadBuffers.get();
        ByteBuffer out = buffers.send(header.length + total);
        out.put(header);
        for (int i = offset; i < offset + length; i++) {
            int position = srcs[i].position();
            out.put(srcs[i]);
            srcs[i].position(position);
        }
        out.flip();
        return buffers.gathered(out);
    }

    private ByteBuffer frame(ByteBuffer payload, byte[] header) {
        int length = payload.remaining();
        ByteBuffer out = ThreadBuffers.get().send(header.length + length);
        out.put(header);
        int position = payload.position();
        out.put(payload);
        payload.position(position); // consumed only once the JDK reports the datagram sent
        out.flip();
        return out;
    }

    @Override
    public boolean framedAlready(ByteBuffer src) {
        return ThreadBuffers.get().isSendBuffer(src);
    }

    @Override
    public InetSocketAddress relay() {
        return sendRelay;
    }

    @Override
    public int sent(ByteBuffer payload, int written) {
        if (wouldBlock) {
            return 0;
        }
        if (written <= 0) {
            return written; // would block, or nothing sent: the payload stays unconsumed, as in the JDK
        }
        int length = payload.remaining();
        payload.position(payload.limit());
        if (written != Integer.MAX_VALUE) { // MAX_VALUE: discarded or lost, never sent
            Metrics.sentThroughProxy(length);
        }
        return length;
    }

    @Override
    public long sent(ByteBuffer[] srcs, int offset, int length, long written) {
        if (wouldBlock) {
            return 0;
        }
        if (written <= 0) {
            return written;
        }
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
            srcs[i].position(srcs[i].limit());
        }
        if (written != Long.MAX_VALUE) {
            Metrics.sentThroughProxy((int) total);
        }
        return total;
    }

    @Override
    public ByteBuffer receiveBuffer() {
        pendingSender = null;
        return ThreadBuffers.get().clearedReceive();
    }

    @Override
    public int received(Object channel, ByteBuffer dst, int n) throws IOException {
        if (n < 0) {
            return n; // nothing received (would block, interrupted): pass the JDK's status through
        }
        ByteBuffer datagram = ThreadBuffers.get().receive(); // the one receiveBuffer() gave this thread on entry
        datagram.flip();
        InetSocketAddress source = access.actualSource(channel, lastSource);
        lastSource = source;
        InetSocketAddress relay = tunnel.currentRelay();
        if (relay != null && source.equals(relay)) {
            return unwrap(datagram, dst, source);
        }
        if (!tunnel.socksified() || routing.acceptsDirectFrom(source) || access.hasJoinedGroups(channel)) {
            pendingSender = source;
            return deliver(datagram, dst); // a plain socket so far, a bypassed peer, or a group member
        }
        relayed.notFromRelay(source);
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
        ByteBuffer datagram = ThreadBuffers.get().scatter();
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
        if (!relayed.accept(datagram, relay, tunnel.peer())) {
            return UNAVAILABLE;
        }
        pendingSender = relayed.sender();
        datagram.position(datagram.position() + relayed.headerLength());
        Metrics.receivedThroughProxy(datagram.remaining());
        return deliver(datagram, dst);
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
    public boolean repeatAfterDrop(Object channel) throws IOException {
        receiveBuffer(); // cleared for the repeated receive, which reuses the buffer swapped in on entry
        if (!(channel instanceof SelectableChannel) || !((SelectableChannel) channel).isBlocking()) {
            return false;
        }
        long deadline = timedReceiveDeadline;
        return deadline == 0 || access.awaitDatagram(channel, deadline);
    }

    /** The deadline of the socket adaptor's timed receive in progress (System.nanoTime), or 0 when it ends. */
    void timedReceive(long deadlineNanos) {
        timedReceiveDeadline = deadlineNanos;
    }
}
