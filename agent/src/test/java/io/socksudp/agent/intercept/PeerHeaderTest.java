package io.socksudp.agent.intercept;

import io.socksudp.agent.socks.UdpHeader;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class PeerHeaderTest {

    private static ByteBuffer datagramFrom(InetSocketAddress sender, String payload) {
        byte[] header = UdpHeader.encode(sender);
        ByteBuffer b = ByteBuffer.allocate(header.length + payload.length());
        b.put(header).put(payload.getBytes()).flip();
        return b;
    }

    @Test
    void socketsHearingFromTheSamePeerShareOneAddressAndHeader() {
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", 5353);
        ByteBuffer one = datagramFrom(server, "a");
        ByteBuffer two = datagramFrom(server, "bb");
        PeerHeader first = PeerHeader.received(one, 10);
        PeerHeader second = PeerHeader.received(two, 10);
        assertSame(first, second);
        assertEquals(server, first.address);
        assertArrayEquals(UdpHeader.encode(server), first.header);
        assertEquals(0, one.position(), "nothing consumed");
    }

    @Test
    void anotherPeerGetsItsOwn() {
        PeerHeader a = PeerHeader.received(datagramFrom(new InetSocketAddress("127.0.0.1", 7001), "x"), 10);
        PeerHeader b = PeerHeader.received(datagramFrom(new InetSocketAddress("127.0.0.1", 7002), "x"), 10);
        assertNotSame(a, b);
        assertEquals(7002, b.address.getPort());
    }

    @Test
    void aTargetsHeaderIsSharedButNeverTheApplicationsOwnAddress() throws Exception {
        // The application named the peer with a host name: what a receive reports must not carry it.
        InetAddress localhost = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        InetSocketAddress named = new InetSocketAddress(localhost, 6001);
        byte[] header = PeerHeader.headerFor(named);
        assertArrayEquals(UdpHeader.encode(named), header);
        assertSame(header, PeerHeader.headerFor(new InetSocketAddress("127.0.0.1", 6001)), "same peer, same header");
        PeerHeader heard = PeerHeader.received(datagramFrom(named, "reply"), 10);
        assertSame(header, heard.header);
        assertEquals("/127.0.0.1:6001", heard.address.toString(), "decoded from the header: no host name");
    }

    @Test
    void anUnresolvedTargetIsEncodedAsANameAndNotShared() {
        InetSocketAddress name = InetSocketAddress.createUnresolved("localhost", 53);
        byte[] header = PeerHeader.headerFor(name);
        assertArrayEquals(UdpHeader.encode(name), header);
        assertNotSame(header, PeerHeader.headerFor(name));
    }
}
