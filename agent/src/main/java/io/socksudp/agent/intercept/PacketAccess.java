package io.socksudp.agent.intercept;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the tunnel needs from the legacy {@code java.net.AbstractPlainDatagramSocketImpl} and from
 * {@code DatagramPacket}'s package-private fields (JDK 8, 11; 17 with -Djdk.net.usePlainDatagramSocketImpl).
 */
public interface PacketAccess extends SocketAccess {

    /** True when {@code impl} is the JDK's own AbstractPlainDatagramSocketImpl, whose I/O the agent advises. */
    boolean isPlainImpl(Object impl);

    /** True when the impl's socket is closed (its fd gone): the JDK then fails the call itself. */
    boolean isClosed(Object impl);

    /** {@code packet.bufLength}: how much a receive may write (getLength() is the last datagram's length). */
    int bufLength(DatagramPacket packet);

    /**
     * Sets what a receive reports, as the JDK's native receive does: sender, port and {@code length}, leaving
     * {@code bufLength} alone (DatagramPacket.setLength would shrink it for the next receive).
     */
    void setReceived(DatagramPacket packet, InetAddress sender, int port, int length);

    /** Sets {@code packet.port} as is: a packet to send may carry the JDK's "unset" port -1. */
    void setPort(DatagramPacket packet, int port);

    /**
     * Discards what the OS socket queued before it was connected to the relay, as JDK 17's connect does; so
     * DatagramSocket.connect finds nothing queued and never takes its peek-based explicit filter.
     */
    void discardQueued(Object impl) throws IOException;

    /** The peer the impl's OS socket is connected to, or null when it is not connected. */
    InetSocketAddress connectedPeer(Object impl);
}
