package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One application socket's side of the SOCKS5 UDP relay, as the advice sees it.
 *
 * <p>The advice swaps buffers and addresses around the JDK's own send, receive, read and write, so the datagram
 * still goes through the application's own OS socket and the JDK keeps doing locking, blocking, timeouts,
 * interrupts and selector readiness exactly as without the agent. A connected socket is connected, at the OS
 * level, to the relay, while the JDK's {@code remoteAddress} keeps the application's peer.
 */
public abstract class UdpTunnel {

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

    /** Where framed datagrams go: the relay of the current association. */
    public abstract InetSocketAddress relay();

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
     */
    public abstract boolean repeatAfterDrop(Object channel);

    /** A read on a socket connected through the tunnel, served by the channel's own receive. */
    public abstract int readFromPeer(Object channel, ByteBuffer dst) throws IOException;

    /** As {@link #readFromPeer(Object, ByteBuffer)}, scattering into {@code dsts[offset..offset+length)}. */
    public abstract long readFromPeer(Object channel, ByteBuffer[] dsts, int offset, int length) throws IOException;

    /**
     * An I/O error on a socket connected through the tunnel; true when it was the relay's failure (the
     * association is dead and being re-established) and the error must not reach the application.
     */
    public abstract boolean relayFailed(Throwable error);

    /** The socket is now connected to {@code peer} (the OS socket to the relay). */
    public abstract void connected(InetSocketAddress peer);

    // Legacy DatagramSocketImpl (JDK 8, 11; 17 with -Djdk.net.usePlainDatagramSocketImpl): DatagramPackets.

    /**
     * For a send of {@code packet} on the legacy socket {@code impl}: {@code packet} itself when it goes direct,
     * null when the tunnel discards it (onUnavailable=drop), else a framed packet addressed to the relay that
     * the caller sends instead and must hand back to {@link #packetSent}.
     */
    public abstract DatagramPacket framePacket(Object impl, DatagramPacket packet) throws IOException;

    /**
     * The JDK sent {@code framed} (or failed with {@code thrown}, else null); releases it for reuse. True when
     * {@code thrown} was the relay's failure and must not reach the application (see {@link #relayFailed}).
     */
    public abstract boolean packetSent(DatagramPacket framed, Throwable thrown);

    /** The packet to receive into instead of the caller's: room for any datagram. */
    public abstract DatagramPacket receivePacket();

    /**
     * Vets what the JDK just received into {@link #receivePacket()}; when it is to be delivered, copies the
     * payload into {@code caller} as the JDK would (sender, length, truncation) and returns true; false when it
     * was dropped and the receive must wait for the next datagram.
     */
    public abstract boolean receivedPacket(Object impl, DatagramPacket caller) throws IOException;

    /** The legacy socket joined a multicast group: from now on group traffic arrives directly. */
    public abstract void joinedGroup();
}
