package io.socksudp.agent.intercept;

import static io.socksudp.agent.intercept.FrontEndFixture.LOOPBACK;
import static io.socksudp.agent.intercept.FrontEndFixture.OTHER_PEER;
import static io.socksudp.agent.intercept.FrontEndFixture.PEER;
import static io.socksudp.agent.intercept.FrontEndFixture.PROXY;
import static io.socksudp.agent.intercept.FrontEndFixture.STRANGER;
import static io.socksudp.agent.intercept.FrontEndFixture.bytes;
import static io.socksudp.agent.intercept.FrontEndFixture.relayed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.bootstrap.ChannelTunnel;
import io.socksudp.agent.metrics.Metrics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelFrontEnd}'s decisions, driven as its advice drives it, over a real (unsent-on) DatagramChannel, a fake
 * {@link ChannelAccess} that reports the source of "the datagram just received", and a real AssociationManager over
 * a {@link io.socksudp.agent.association.FakeProxy}. What arrives is written into the thread's receive buffer as the
 * JDK's receive would.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChannelFrontEndTest {

    private static final byte[] PAYLOAD = "hello".getBytes(StandardCharsets.US_ASCII);

    /** The JDK's side, faked: the source of the datagram just received is what the test says. */
    static final class FakeChannelAccess implements ChannelAccess {
        volatile InetSocketAddress source;
        volatile boolean joinedGroups;
        final List<InetSocketAddress> reconnects = new CopyOnWriteArrayList<InetSocketAddress>();

        @Override
        public InetSocketAddress localAddress(Object socket) throws IOException {
            DatagramChannel ch = (DatagramChannel) socket;
            if (ch.getLocalAddress() == null) {
                ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            }
            return (InetSocketAddress) ch.getLocalAddress();
        }

        @Override
        public void reconnect(Object socket, InetSocketAddress relay) {
            reconnects.add(relay);
        }

        @Override
        public InetSocketAddress actualSource(Object channel, InetSocketAddress previous) {
            InetSocketAddress s = source;
            return s.equals(previous) ? previous : s;
        }

        /** The deadlines the front end waited for, in order. */
        final List<Long> awaited = new CopyOnWriteArrayList<Long>();

        /**
         * As the real access past its deadline: the adaptor's SocketTimeoutException. Before it, "a datagram is
         * there" at once: the tests that get here keep one coming.
         */
        @Override
        public boolean awaitDatagram(Object channel, long deadlineNanos) throws IOException {
            awaited.add(deadlineNanos);
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new SocketTimeoutException("Receive timed out");
            }
            return true;
        }

        @Override
        public boolean hasJoinedGroups(Object channel) {
            return joinedGroups;
        }
    }

    private final FrontEndFixture fixture;
    private final FakeChannelAccess access = new FakeChannelAccess();
    private final DatagramChannel channel;

    ChannelFrontEndTest() throws IOException {
        fixture = new FrontEndFixture();
        channel = DatagramChannel.open();
    }

    @AfterEach
    void close() throws IOException {
        channel.close();
        fixture.close();
    }

    private ChannelFrontEnd frontEnd(boolean dropWhenUnavailable) {
        AssociatedSocket socket = fixture.associated(channel, access, dropWhenUnavailable);
        return new ChannelFrontEnd(socket, fixture.routing, access, fixture.drops);
    }

    /** A front end whose socket has sent to {@link FrontEndFixture#PEER} through its association. */
    private ChannelFrontEnd associated() throws IOException {
        ChannelFrontEnd fe = frontEnd(false);
        assertSame(fe, fe.forSend(channel, PEER));
        assertNotNull(fixture.relay());
        return fe;
    }

    /** What the advice sees after the JDK received {@code datagram} from {@code source} into the swapped buffer. */
    private int receive(ChannelFrontEnd fe, InetSocketAddress source, byte[] datagram, ByteBuffer dst)
            throws IOException {
        ByteBuffer swapped = fe.receiveBuffer();
        swapped.put(datagram);
        access.source = source;
        return fe.received(channel, dst, datagram.length);
    }

    @Test
    void a_proxied_destination_is_framed_with_its_socks_header_and_addressed_to_the_relay() throws IOException {
        ChannelFrontEnd fe = frontEnd(false);
        long sentBefore = Metrics.datagramsSentThroughProxy();

        ChannelTunnel tunnel = fe.forSend(channel, PEER);

        assertSame(fe, tunnel);
        assertFalse(fe.discarding());
        assertEquals(1, fixture.proxy.opened());
        assertEquals(fixture.relay(), fe.relay());
        ByteBuffer payload = ByteBuffer.wrap(PAYLOAD);
        ByteBuffer framed = fe.frame(payload, PEER);
        assertArrayEquals(relayed(PEER, PAYLOAD), bytes(framed));
        assertEquals(0, payload.position(), "consumed only once the JDK reports it sent");
        assertEquals(PAYLOAD.length, fe.sent(payload, framed.remaining()));
        assertFalse(payload.hasRemaining());
        assertEquals(sentBefore + 1, Metrics.datagramsSentThroughProxy());
    }

    @Test
    void a_second_destination_gets_its_own_header_through_the_same_association() throws IOException {
        ChannelFrontEnd fe = associated();
        assertSame(fe, fe.forSend(channel, OTHER_PEER));
        assertArrayEquals(relayed(OTHER_PEER, PAYLOAD), bytes(fe.frame(ByteBuffer.wrap(PAYLOAD), OTHER_PEER)));
        assertEquals(1, fixture.proxy.opened());
    }

    @Test
    void a_host_name_is_framed_for_the_proxy_to_resolve_and_a_bypassed_one_is_left_to_the_jdk() throws IOException {
        ChannelFrontEnd fe = associated(); // the last destination is PEER: the name must not get PEER's header
        InetSocketAddress named = InetSocketAddress.createUnresolved("peer.example", 5353);

        assertSame(fe, fe.forNamedSend(channel, named));
        assertArrayEquals(relayed(named, PAYLOAD), bytes(fe.frame(ByteBuffer.wrap(PAYLOAD), named)));
        assertEquals(fixture.relay(), fe.relay());

        assertNull(fe.forNamedSend(channel, InetSocketAddress.createUnresolved("localhost", 53)), "bypassed");
        assertNull(fe.forNamedSend(channel, PEER), "resolved: the private send frames it");
    }

    @Test
    void a_bypassed_destination_goes_direct_without_an_association_and_is_counted() throws IOException {
        ChannelFrontEnd fe = frontEnd(false);
        long directBefore = Metrics.datagramsSentDirectly();

        assertNull(fe.forSend(channel, LOOPBACK));
        assertNull(fe.forSend(channel, FrontEndFixture.at("224.0.0.251", 5353)), "multicast always goes direct");

        assertEquals(directBefore + 2, Metrics.datagramsSentDirectly());
        assertEquals(0, fixture.proxy.opened());
    }

    @Test
    void a_datagram_from_the_relay_is_unwrapped_with_the_peer_as_its_sender() throws IOException {
        ChannelFrontEnd fe = associated();
        ByteBuffer dst = ByteBuffer.allocate(100);

        int n = receive(fe, fixture.relay(), relayed(PEER, PAYLOAD), dst);

        assertEquals(PAYLOAD.length, n);
        dst.flip();
        assertArrayEquals(PAYLOAD, bytes(dst));
        assertEquals(PEER, fe.reportedSender());
    }

    @Test
    void a_relayed_datagram_longer_than_the_buffer_is_truncated_as_the_jdk_does() throws IOException {
        ChannelFrontEnd fe = associated();
        ByteBuffer dst = ByteBuffer.allocate(3);

        assertEquals(3, receive(fe, fixture.relay(), relayed(PEER, PAYLOAD), dst));
        dst.flip();
        assertArrayEquals("hel".getBytes(StandardCharsets.US_ASCII), bytes(dst));
    }

    @Test
    void a_datagram_not_from_the_relay_is_dropped_and_counted_once_the_socket_has_an_association()
            throws IOException {
        ChannelFrontEnd fe = associated();
        ByteBuffer dst = ByteBuffer.allocate(100);

        assertEquals(ChannelTunnel.UNAVAILABLE, receive(fe, STRANGER, PAYLOAD, dst));

        assertEquals(0, dst.position());
        assertNull(fe.reportedSender());
        assertEquals(1, fixture.drops.count(DropReason.NOT_FROM_RELAY));
    }

    @Test
    void a_bypassed_source_and_a_group_member_are_delivered_as_they_came() throws IOException {
        ChannelFrontEnd fe = associated();
        ByteBuffer dst = ByteBuffer.allocate(100);

        assertEquals(PAYLOAD.length, receive(fe, LOOPBACK, PAYLOAD, dst));
        assertEquals(LOOPBACK, fe.reportedSender());

        access.joinedGroups = true;
        dst.clear();
        assertEquals(PAYLOAD.length, receive(fe, STRANGER, PAYLOAD, dst));
        assertEquals(STRANGER, fe.reportedSender());
        assertEquals(0, fixture.drops.count(DropReason.NOT_FROM_RELAY));
    }

    @Test
    void a_socket_without_an_association_yet_receives_from_anyone() throws IOException {
        ChannelFrontEnd fe = frontEnd(false);
        ByteBuffer dst = ByteBuffer.allocate(100);

        assertEquals(PAYLOAD.length, receive(fe, STRANGER, PAYLOAD, dst));
        assertEquals(STRANGER, fe.reportedSender());
    }

    @Test
    void malformed_fragmented_and_named_datagrams_from_the_relay_are_dropped_by_reason() throws IOException {
        ChannelFrontEnd fe = associated();
        InetSocketAddress relay = fixture.relay();
        ByteBuffer dst = ByteBuffer.allocate(100);

        assertEquals(ChannelTunnel.UNAVAILABLE, receive(fe, relay, new byte[] {0, 0, 0}, dst));
        byte[] fragmented = relayed(PEER, PAYLOAD);
        fragmented[2] = 1;
        assertEquals(ChannelTunnel.UNAVAILABLE, receive(fe, relay, fragmented, dst));
        byte[] badType = relayed(PEER, PAYLOAD);
        badType[3] = 9;
        assertEquals(ChannelTunnel.UNAVAILABLE, receive(fe, relay, badType, dst));
        byte[] named = relayed(InetSocketAddress.createUnresolved("localhost", 53), PAYLOAD);
        assertEquals(ChannelTunnel.UNAVAILABLE, receive(fe, relay, named, dst));

        assertEquals(0, dst.position());
        assertEquals(1, fixture.drops.count(DropReason.MALFORMED));
        assertEquals(1, fixture.drops.count(DropReason.FRAGMENTED));
        assertEquals(1, fixture.drops.count(DropReason.BAD_ADDRESS_TYPE));
        assertEquals(1, fixture.drops.count(DropReason.NAMED_SENDER));
        assertEquals(0, fixture.drops.count(DropReason.NOT_FROM_RELAY));
    }

    @Test
    void a_socket_connected_through_the_tunnel_takes_only_its_peers_datagrams() throws IOException {
        ChannelFrontEnd fe = associated();
        fe.connected(PEER);
        assertSame(fe, fe.forPeer());
        ByteBuffer dst = ByteBuffer.allocate(100);

        assertEquals(ChannelTunnel.UNAVAILABLE, receive(fe, fixture.relay(), relayed(OTHER_PEER, PAYLOAD), dst));
        assertEquals(1, fixture.drops.count(DropReason.NOT_FROM_PEER));

        assertEquals(PAYLOAD.length, receive(fe, fixture.relay(), relayed(PEER, PAYLOAD), dst));
        assertEquals(PEER, fe.reportedSender());
        assertArrayEquals(relayed(PEER, PAYLOAD), bytes(fe.frameForPeer(ByteBuffer.wrap(PAYLOAD))));
    }

    @Test
    void a_connected_socket_follows_a_new_relay_when_its_association_is_lost() throws Exception {
        ChannelFrontEnd fe = associated();
        fe.connected(PEER);
        Association first = fixture.proxy.latest();

        fixture.proxy.endLatest();

        long end = System.nanoTime() + 10_000_000_000L;
        while (fixture.proxy.opened() < 2 || access.reconnects.isEmpty()) {
            assertTrue(System.nanoTime() - end < 0, "no new association within 10 s");
            Thread.sleep(10);
        }
        assertFalse(first.isOpen());
        assertEquals(fixture.relay(), access.reconnects.get(access.reconnects.size() - 1));
        assertFalse(fixture.relay().equals(first.relay()));
    }

    @Test
    void with_on_unavailable_drop_a_refused_send_is_discarded_and_counted() throws IOException {
        fixture.proxy.refuse(true);
        ChannelFrontEnd fe = frontEnd(true);

        assertSame(fe, fe.forSend(channel, PEER));

        assertTrue(fe.discarding());
        assertEquals(1, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
    }

    @Test
    void with_on_unavailable_fail_a_refused_send_throws_an_io_exception_naming_the_proxy() {
        fixture.proxy.refuse(true);
        ChannelFrontEnd fe = frontEnd(false);

        IOException e = assertThrows(IOException.class, () -> fe.forSend(channel, PEER));

        assertTrue(e.getMessage().contains(PROXY), e.getMessage());
        assertEquals(0, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
    }

    @Test
    void closing_releases_the_association() throws Exception {
        ChannelFrontEnd fe = associated();
        Association a = fixture.proxy.latest();
        assertTrue(a.isOpen());

        fe.tunnel().close();

        FrontEndFixture.awaitClosed(a);
        assertNull(fe.tunnel().currentRelay());
    }
}
