package io.socksudp.agent.intercept;

import io.socksudp.agent.socks.UdpHeader;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a socket receives from its relay is accepted or dropped with its own cause (RFC 1928 section 7 headers
 * built by the codec): a drop is a false answer counted under its reason, never a codec code standing for another
 * meaning (issue 15: "not from the connected peer" used to come back as the codec's MALFORMED).
 */
class RelayedDatagramsTest {

    private static final InetSocketAddress RELAY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    private static final InetSocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);
    private static final InetSocketAddress OTHER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5354);

    private final DropCounters drops = new DropCounters();
    private final RelayedDatagrams relayed = new RelayedDatagrams(drops);

    @Test
    void aDatagramFromThePeerIsAcceptedWithItsHeaderLengthAndSender() {
        ByteBuffer datagram = framed(PEER, "hello");
        assertTrue(relayed.accept(datagram, RELAY, null));
        assertEquals(10, relayed.headerLength(), "IPv4 header: RSV FRAG ATYP, 4 address bytes, port");
        assertEquals(PEER, relayed.sender());
        InetSocketAddress first = relayed.sender();
        assertTrue(relayed.accept(framed(PEER, "again"), RELAY, PEER), "connected to the peer: its datagrams pass");
        assertSame(first, relayed.sender(), "the same sender, not a new address per datagram");
        assertEquals(0, drops.dropsByCause().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void aConnectedSocketDropsWhatComesFromAnotherPeerUnderItsOwnCause() {
        assertFalse(relayed.accept(framed(OTHER, "stray"), RELAY, PEER));
        assertEquals(1, drops.count(DropReason.NOT_FROM_PEER));
        assertEquals(0, drops.count(DropReason.MALFORMED));
    }

    @Test
    void fragmentedMalformedAndNamedSendersAreDroppedUnderTheirCauses() {
        ByteBuffer fragmented = framed(PEER, "part");
        fragmented.put(2, (byte) 1); // FRAG: this agent does not reassemble
        assertFalse(relayed.accept(fragmented, RELAY, null));
        assertEquals(1, drops.count(DropReason.FRAGMENTED));

        assertFalse(relayed.accept(ByteBuffer.wrap(new byte[] {0, 0, 0}), RELAY, null));
        assertEquals(1, drops.count(DropReason.MALFORMED));

        ByteBuffer named = framed(InetSocketAddress.createUnresolved("localhost", 53), "name");
        assertFalse(relayed.accept(named, RELAY, null));
        assertEquals(1, drops.count(DropReason.NAMED_SENDER));
    }

    private static ByteBuffer framed(InetSocketAddress from, String payload) {
        byte[] header = UdpHeader.encode(from);
        ByteBuffer datagram = ByteBuffer.allocate(header.length + payload.length());
        datagram.put(header).put(payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).flip();
        return datagram;
    }
}
