package io.socksudp.agent.intercept;

import static io.socksudp.agent.intercept.FrontEndFixture.LOOPBACK;
import static io.socksudp.agent.intercept.FrontEndFixture.OTHER_PEER;
import static io.socksudp.agent.intercept.FrontEndFixture.PEER;
import static io.socksudp.agent.intercept.FrontEndFixture.PROXY;
import static io.socksudp.agent.intercept.FrontEndFixture.STRANGER;
import static io.socksudp.agent.intercept.FrontEndFixture.relayed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.bootstrap.PacketTunnel.Send;
import io.socksudp.agent.metrics.Metrics;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link PacketFrontEnd}'s decisions, driven as the legacy impl's advice drives it. The "impl" is a real (unsent-on)
 * DatagramSocket standing in for the JDK's AbstractPlainDatagramSocketImpl, whose package-private fields a fake
 * {@link PacketAccess} reaches through DatagramPacket's public API; the association comes from a real
 * AssociationManager over a {@link io.socksudp.agent.association.FakeProxy}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PacketFrontEndTest {

    private static final byte[] PAYLOAD = "legacy".getBytes(StandardCharsets.US_ASCII);

    static final class FakePacketAccess implements PacketAccess {
        final AtomicInteger discards = new AtomicInteger();

        @Override
        public InetSocketAddress localAddress(Object socket) {
            return (InetSocketAddress) ((DatagramSocket) socket).getLocalSocketAddress();
        }

        @Override
        public void reconnect(Object socket, InetSocketAddress relay) {
            // the OS socket's connect is the real access's; nothing here reads it
        }

        @Override
        public boolean isPlainImpl(Object impl) {
            return true;
        }

        @Override
        public boolean isClosed(Object impl) {
            return ((DatagramSocket) impl).isClosed();
        }

        @Override
        public int bufLength(DatagramPacket packet) {
            return packet.getData().length - packet.getOffset();
        }

        @Override
        public void setReceived(DatagramPacket packet, InetAddress sender, int port, int length) {
            packet.setAddress(sender);
            packet.setPort(port);
            packet.setLength(length);
        }

        @Override
        public void setPort(DatagramPacket packet, int port) {
            packet.setPort(port);
        }

        @Override
        public void discardQueued(Object impl) {
            discards.incrementAndGet();
        }

        @Override
        public InetSocketAddress connectedPeer(Object impl) {
            return null;
        }
    }

    private final FrontEndFixture fixture;
    private final FakePacketAccess access = new FakePacketAccess();
    private final DatagramSocket impl;

    PacketFrontEndTest() throws IOException {
        fixture = new FrontEndFixture();
        impl = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() throws IOException {
        impl.close();
        fixture.close();
    }

    private PacketFrontEnd frontEnd(boolean dropWhenUnavailable) {
        AssociatedSocket socket = fixture.associated(impl, access, dropWhenUnavailable);
        return new PacketFrontEnd(socket, fixture.routing, access, fixture.drops);
    }

    private static DatagramPacket to(InetSocketAddress target) {
        return new DatagramPacket(PAYLOAD, PAYLOAD.length, target);
    }

    private static byte[] contents(DatagramPacket p) {
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    /** A front end whose socket has sent to {@link FrontEndFixture#PEER} through its association. */
    private PacketFrontEnd associated() throws IOException {
        PacketFrontEnd fe = frontEnd(false);
        assertEquals(Send.FRAMED, fe.frame(impl, to(PEER)));
        fe.packetSent(fe.framedPacket(), null);
        return fe;
    }

    /** What the advice sees after the JDK received {@code datagram} from {@code source} into the thread's packet. */
    private boolean receive(PacketFrontEnd fe, InetSocketAddress source, byte[] datagram, DatagramPacket caller) {
        DatagramPacket p = fe.receivePacket();
        System.arraycopy(datagram, 0, p.getData(), 0, datagram.length);
        p.setLength(datagram.length);
        p.setAddress(source.getAddress());
        p.setPort(source.getPort());
        return fe.receivedPacket(impl, caller);
    }

    @Test
    void a_proxied_destination_is_framed_with_its_socks_header_and_addressed_to_the_relay() throws IOException {
        PacketFrontEnd fe = frontEnd(false);
        long sentBefore = Metrics.datagramsSentThroughProxy();

        assertEquals(Send.FRAMED, fe.frame(impl, to(PEER)));

        DatagramPacket framed = fe.framedPacket();
        assertEquals(fixture.relay(), framed.getSocketAddress());
        assertArrayEquals(relayed(PEER, PAYLOAD), contents(framed));
        assertFalse(fe.packetSent(framed, null));
        assertEquals(sentBefore + 1, Metrics.datagramsSentThroughProxy());
        assertEquals(1, fixture.proxy.opened());
    }

    @Test
    void a_bypassed_destination_goes_direct_without_an_association_and_is_counted() throws IOException {
        PacketFrontEnd fe = frontEnd(false);
        long directBefore = Metrics.datagramsSentDirectly();

        assertEquals(Send.DIRECT, fe.frame(impl, to(LOOPBACK)));

        assertEquals(directBefore + 1, Metrics.datagramsSentDirectly());
        assertEquals(0, fixture.proxy.opened());
    }

    @Test
    void a_datagram_from_the_relay_is_unwrapped_with_the_peer_as_its_sender() throws IOException {
        PacketFrontEnd fe = associated();
        DatagramPacket caller = new DatagramPacket(new byte[100], 100);

        assertTrue(receive(fe, fixture.relay(), relayed(PEER, PAYLOAD), caller));

        assertArrayEquals(PAYLOAD, contents(caller));
        assertEquals(PEER, caller.getSocketAddress());
    }

    @Test
    void a_datagram_not_from_the_relay_or_malformed_is_dropped_and_counted_by_reason() throws IOException {
        PacketFrontEnd fe = associated();
        DatagramPacket caller = new DatagramPacket(new byte[100], 100);

        assertFalse(receive(fe, STRANGER, PAYLOAD, caller));
        assertFalse(receive(fe, fixture.relay(), new byte[] {0, 0}, caller));

        assertNull(caller.getAddress());
        assertEquals(1, fixture.drops.count(DropReason.NOT_FROM_RELAY));
        assertEquals(1, fixture.drops.count(DropReason.MALFORMED));

        assertTrue(receive(fe, LOOPBACK, PAYLOAD, caller), "a bypassed source is delivered as it came");
        assertEquals(LOOPBACK, caller.getSocketAddress());
    }

    @Test
    void a_socket_connected_through_the_tunnel_takes_only_its_peers_datagrams() throws IOException {
        PacketFrontEnd fe = associated();
        fe.connected(PEER);
        assertEquals(1, access.discards.get(), "what was queued before the connect is discarded");
        DatagramPacket caller = new DatagramPacket(new byte[100], 100);

        assertFalse(receive(fe, fixture.relay(), relayed(OTHER_PEER, PAYLOAD), caller));
        assertEquals(1, fixture.drops.count(DropReason.NOT_FROM_PEER));
        assertFalse(receive(fe, LOOPBACK, PAYLOAD, caller), "not even a bypassed source");
        assertEquals(1, fixture.drops.count(DropReason.NOT_FROM_RELAY));
        assertTrue(receive(fe, fixture.relay(), relayed(PEER, PAYLOAD), caller));
        assertEquals(PEER, caller.getSocketAddress());

        DatagramPacket unaddressed = new DatagramPacket(PAYLOAD, PAYLOAD.length);
        assertEquals(Send.FRAMED, fe.frame(impl, unaddressed));
        DatagramPacket framed = fe.framedPacket();
        assertArrayEquals(relayed(PEER, PAYLOAD), contents(framed));
        assertEquals(PEER, framed.getSocketAddress(), "the application's peer, for JDK 8's connected-send check");
    }

    @Test
    void with_on_unavailable_drop_a_refused_send_is_discarded_and_counted() throws IOException {
        fixture.proxy.refuse(true);
        PacketFrontEnd fe = frontEnd(true);

        assertEquals(Send.DISCARDED, fe.frame(impl, to(PEER)));

        assertEquals(1, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
    }

    @Test
    void with_on_unavailable_fail_a_refused_send_throws_an_io_exception_naming_the_proxy() {
        fixture.proxy.refuse(true);
        PacketFrontEnd fe = frontEnd(false);

        IOException e = assertThrows(IOException.class, () -> fe.frame(impl, to(PEER)));

        assertTrue(e.getMessage().contains(PROXY), e.getMessage());
        assertEquals(0, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
    }

    @Test
    void closing_releases_the_association() throws Exception {
        PacketFrontEnd fe = associated();
        Association a = fixture.proxy.latest();

        fe.tunnel().close();

        FrontEndFixture.awaitClosed(a);
        assertNull(fe.tunnel().currentRelay());
        assertTrue(fe.tunnel().closedError(false) instanceof SocketException);
    }
}
