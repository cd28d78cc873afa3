package io.socksudp.agent.intercept;

import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.UdpHeader;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Vets what one socket receives from its relay: parses the SOCKS header, works out the sender (cached, so a
 * steady stream from one peer costs no allocation), applies a connected socket's filter, and counts what it
 * drops. Used on the receive side only, which the JDK serializes (the channel's read lock, the legacy impl's
 * synchronized receive), so its caches have a single writer at a time.
 */
final class RelayedDatagrams {

    /** Large enough for any UDP datagram the OS can deliver (IPv4: 65507 payload bytes; IPv6: 65527). */
    static final int RECEIVE_CAPACITY = 65536;

    private final DropCounters drops;

    /** The previous datagram's sender (shared with other sockets hearing from the same peer: PeerHeader). */
    private PeerHeader lastSender;
    /** The header length of the datagram last accepted. */
    private int headerLength;

    RelayedDatagrams(DropCounters drops) {
        this.drops = drops;
    }

    /**
     * Parses the header of {@code datagram} (position to limit), received from {@code relay}, works out its
     * sender and, when the socket is connected to {@code peer} (else null), drops what does not come from the peer.
     * True when the datagram is to be delivered: {@link #headerLength()} and {@link #sender()} then describe it;
     * false when it was dropped, after counting the drop under its cause.
     */
    boolean accept(ByteBuffer datagram, InetSocketAddress relay, InetSocketAddress peer) {
        int parsed = UdpHeader.parse(datagram);
        if (parsed < 0) {
            drops.drop(reasonFor(parsed), relay);
            return false;
        }
        if (datagram.get(datagram.position() + 3) == Socks5.ATYP_DOMAIN) {
            drops.drop(DropReason.NAMED_SENDER, relay);
            return false;
        }
        PeerHeader from = lastSender;
        if (from == null || !UdpHeader.addressEquals(datagram, from.header)) {
            from = PeerHeader.received(datagram, parsed); // a new sender: allocation is fine off the repeat path
            lastSender = from;
        }
        if (peer != null && !peer.equals(from.address)) {
            drops.drop(DropReason.NOT_FROM_PEER, from.address); // connected: only the peer's datagrams, as the JDK
            return false;
        }
        headerLength = parsed;
        return true;
    }

    /** The SOCKS header's length in the datagram {@link #accept} just accepted. */
    int headerLength() {
        return headerLength;
    }

    /** The sender of the datagram {@link #accept} just accepted: the peer named in its SOCKS header. */
    InetSocketAddress sender() {
        return lastSender.address;
    }

    /** Counts a datagram that came neither from the relay nor from a source allowed to send directly. */
    void notFromRelay(Object source) {
        drops.drop(DropReason.NOT_FROM_RELAY, source);
    }

    /** The drop's cause from what {@link UdpHeader#parse} returned for a header it refused. */
    private static DropReason reasonFor(int parseResult) {
        if (parseResult == UdpHeader.FRAGMENTED) {
            return DropReason.FRAGMENTED;
        }
        if (parseResult == UdpHeader.BAD_ADDRESS_TYPE) {
            return DropReason.BAD_ADDRESS_TYPE;
        }
        return DropReason.MALFORMED;
    }
}
