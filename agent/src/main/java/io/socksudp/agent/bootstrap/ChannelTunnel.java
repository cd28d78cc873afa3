package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** The tunnel as the advice in {@code sun.nio.ch.DatagramChannelImpl} sees it: ByteBuffers in and out. */
public abstract class ChannelTunnel extends UdpTunnel {

    /** The JDK's IOStatus.UNAVAILABLE: "nothing there, try again"; returned for a datagram that is dropped. */
    public static final int UNAVAILABLE = -2;

    /**
     * Frames {@code payload} (position to limit, not consumed) with the SOCKS5 UDP header for
     * {@code target} and returns the buffer to hand to the OS instead.
     */
    public abstract ByteBuffer frame(ByteBuffer payload, InetSocketAddress target) throws IOException;

    /** Frames {@code payload} for the peer this socket is connected to. */
    public abstract ByteBuffer frameForPeer(ByteBuffer payload) throws IOException;

    /** Gathers and frames {@code srcs[offset..offset+length)} for the connected peer; one buffer, in an array. */
    public abstract ByteBuffer[] frameForPeer(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * True when no association could be had and the user chose to drop such datagrams: the advice then skips
     * the JDK's send and reports the datagram sent, as a datagram lost on the way would be.
     */
    public abstract boolean discarding();

    /**
     * True when {@code src} is a datagram this tunnel framed itself: JDK 8's connected {@code send} frames and
     * then calls {@code write}, which must not frame it a second time.
     */
    public abstract boolean framedAlready(ByteBuffer src);

    /**
     * Accounts for a framed send of {@code written} bytes: consumes the payload and returns the count the
     * application expects (payload bytes), or passes through a JDK status code.
     */
    public abstract int sent(ByteBuffer payload, int written);

    /** As {@link #sent(ByteBuffer, int)} for a gathering write. */
    public abstract long sent(ByteBuffer[] srcs, int offset, int length, long written);

    /** A cleared buffer large enough for any datagram, to receive into instead of the caller's. */
    public abstract ByteBuffer receiveBuffer();

    /**
     * Vets the datagram of {@code n} bytes just received into {@link #receiveBuffer()}, copies its payload
     * into {@code dst} the way the JDK would, and returns the count for the JDK's caller; returns
     * {@link #UNAVAILABLE} for a datagram that must be dropped.
     */
    public abstract int received(Object channel, ByteBuffer dst, int n) throws IOException;

    /**
     * The sender to report for the datagram {@link #received} just delivered: the peer from the SOCKS header,
     * or the real source of a datagram delivered directly; null when nothing was delivered.
     */
    public abstract InetSocketAddress reportedSender();

    /**
     * After a datagram was dropped on JDK 8 to 14, where a blocking receive that finds nothing returns null to
     * its caller: true when the receive must be repeated (the channel blocks), false to report "nothing there".
     * Inside a socket adaptor's timed receive it first waits for the next datagram until the deadline, and throws
     * the adaptor's SocketTimeoutException past it (JDK 11's adaptor polls, then receives blocking).
     */
    public abstract boolean repeatAfterDrop(Object channel) throws IOException;

    /** A read on a socket connected through the tunnel, served by the channel's own receive. */
    public abstract int readFromPeer(Object channel, ByteBuffer dst) throws IOException;

    /** As {@link #readFromPeer(Object, ByteBuffer)}, scattering into {@code dsts[offset..offset+length)}. */
    public abstract long readFromPeer(Object channel, ByteBuffer[] dsts, int offset, int length) throws IOException;
}
