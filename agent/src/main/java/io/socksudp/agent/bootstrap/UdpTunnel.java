package io.socksudp.agent.bootstrap;

import java.net.InetSocketAddress;

/**
 * One application socket's side of the SOCKS5 UDP relay, as the advice sees it: what both advice families call.
 * {@link ChannelTunnel} adds the ByteBuffer hooks of {@code sun.nio.ch.DatagramChannelImpl}, {@link PacketTunnel}
 * the DatagramPacket hooks of the legacy {@code java.net.AbstractPlainDatagramSocketImpl}.
 *
 * <p>The advice swaps buffers and addresses around the JDK's own send, receive, read and write, so the datagram
 * still goes through the application's own OS socket and the JDK keeps doing locking, blocking, timeouts,
 * interrupts and selector readiness exactly as without the agent. A connected socket is connected, at the OS
 * level, to the relay, while the JDK's own record of the peer keeps the application's peer.
 */
public abstract class UdpTunnel {

    /** Where framed datagrams go, and where a connect through the tunnel connects the OS socket: the relay. */
    public abstract InetSocketAddress relay();

    /** The socket is now connected to {@code peer} (the OS socket to the relay). */
    public abstract void connected(InetSocketAddress peer);

    /**
     * An I/O error on a socket connected through the tunnel; true when it was the relay's failure (the
     * association is dead and being re-established) and the error must not reach the application.
     */
    public abstract boolean relayFailed(Throwable error);
}
