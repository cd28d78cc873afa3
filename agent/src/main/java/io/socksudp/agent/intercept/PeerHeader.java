package io.socksudp.agent.intercept;

import io.socksudp.agent.socks.UdpHeader;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A peer's address and its SOCKS UDP header, immutable, and shared by every socket that sends to or hears from
 * that peer while it is the most recent one: many sockets talking to one server (a DNS or STUN server, a game
 * server's clients) then hold one pair between them instead of one each (an address, its InetAddress and a header
 * array: about 130 bytes per socket). Made only for a peer that is not the socket's previous one, never on the
 * path of a datagram to or from the same peer as the one before.
 *
 * <p>The address is always the one decoded from the header (no host name, as the JDK reports a sender), never an
 * application's own InetSocketAddress, so what a receive reports does not depend on what another socket sent.
 */
final class PeerHeader {

    /** The last pair made or looked up, by any socket (a data race at worst makes one more pair). */
    private static volatile PeerHeader recent;

    final InetSocketAddress address;
    /** Never written after construction. */
    final byte[] header;

    private PeerHeader(InetSocketAddress address, byte[] header) {
        this.address = address;
        this.header = header;
    }

    /** The sender named by the valid, IP-addressed header of {@code headerLength} bytes at the datagram's position. */
    static PeerHeader received(ByteBuffer datagram, int headerLength) {
        PeerHeader r = recent;
        if (r != null && UdpHeader.addressEquals(datagram, r.header)) {
            return r;
        }
        byte[] header = new byte[headerLength];
        datagram.duplicate().get(header);
        r = new PeerHeader(UdpHeader.decodeAddress(datagram), header);
        recent = r;
        return r;
    }

    /** The header to frame a datagram to {@code target} with. */
    static byte[] headerFor(InetSocketAddress target) {
        if (target.isUnresolved()) {
            return UdpHeader.encode(target); // a name for the proxy to resolve: not shared
        }
        PeerHeader r = recent;
        if (r != null && r.address.getPort() == target.getPort()
                && target.getAddress().equals(r.address.getAddress())) {
            return r.header;
        }
        byte[] header = UdpHeader.encode(target);
        recent = new PeerHeader(UdpHeader.decodeAddress(ByteBuffer.wrap(header)), header);
        return header;
    }
}
