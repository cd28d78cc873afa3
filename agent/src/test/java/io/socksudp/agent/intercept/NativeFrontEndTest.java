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
import io.socksudp.agent.metrics.Metrics;
import io.socksudp.agent.socks.UdpHeader;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeFrontEnd}'s decisions as a native strategy (Netty's) asks for them: the strategy frames and unwraps
 * itself, so the front end answers "direct?", "which header?", "which relay?" and vets what the relay sent. A real
 * (unsent-on) DatagramChannel stands for the native channel; the association comes from a real AssociationManager
 * over a {@link io.socksudp.agent.association.FakeProxy}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NativeFrontEndTest {

    private static final byte[] PAYLOAD = "native".getBytes(StandardCharsets.US_ASCII);

    private final FrontEndFixture fixture;
    private final ChannelFrontEndTest.FakeChannelAccess access = new ChannelFrontEndTest.FakeChannelAccess();
    private final DatagramChannel channel;

    NativeFrontEndTest() throws IOException {
        fixture = new FrontEndFixture();
        channel = DatagramChannel.open();
    }

    @AfterEach
    void close() throws IOException {
        channel.close();
        fixture.close();
    }

    private NativeFrontEnd frontEnd(boolean dropWhenUnavailable) {
        AssociatedSocket socket = fixture.associated(channel, access, dropWhenUnavailable);
        return new NativeFrontEnd(socket, fixture.routing, fixture.drops);
    }

    /** Copies what the relay sent into the front end's header bytes, as the strategy does, and vets it. */
    private static boolean accept(NativeFrontEnd fe, byte[] datagram, InetSocketAddress relay) {
        int copied = Math.min(datagram.length, NativeFrontEnd.MAX_HEADER);
        System.arraycopy(datagram, 0, fe.headerBytes(), 0, copied);
        return fe.accept(copied, relay);
    }

    @Test
    void a_proxied_destination_gets_its_socks_header_and_the_relay_to_send_to() throws IOException {
        NativeFrontEnd fe = frontEnd(false);

        assertFalse(fe.isDirect(PEER));
        assertArrayEquals(UdpHeader.encode(PEER), fe.header(PEER));
        assertEquals(0, fixture.proxy.opened(), "nothing associated until a send");

        InetSocketAddress relay = fe.relayForSend(channel);
        assertEquals(1, fixture.proxy.opened());
        assertEquals(fixture.relay(), relay);
        assertEquals(fixture.relay(), fe.relayIfReady(channel));
    }

    @Test
    void a_bypassed_destination_goes_direct_and_is_counted() {
        NativeFrontEnd fe = frontEnd(false);
        long directBefore = Metrics.datagramsSentDirectly();

        assertTrue(fe.isDirect(LOOPBACK));

        assertEquals(directBefore + 1, Metrics.datagramsSentDirectly());
        assertEquals(0, fixture.proxy.opened());
    }

    @Test
    void a_datagram_from_the_relay_is_vetted_and_names_its_peer_as_sender() throws IOException {
        NativeFrontEnd fe = frontEnd(false);
        fe.relayForSend(channel);
        byte[] datagram = relayed(PEER, PAYLOAD);

        assertTrue(accept(fe, datagram, fixture.relay()));

        assertEquals(PEER, fe.sender());
        assertEquals(datagram.length - PAYLOAD.length, fe.headerLength());
    }

    @Test
    void what_is_not_from_the_relay_malformed_or_not_from_the_connected_peer_is_dropped_by_reason()
            throws IOException {
        NativeFrontEnd fe = frontEnd(false);
        fe.relayForSend(channel);

        assertFalse(fe.acceptsDirectFrom(STRANGER));
        assertTrue(fe.acceptsDirectFrom(LOOPBACK));
        assertFalse(accept(fe, new byte[] {0, 0, 0, 1}, fixture.relay()));
        assertEquals(fixture.relay(), fe.connectTarget(channel, PEER));
        assertEquals(PEER, fe.connectDone(true));
        assertFalse(accept(fe, relayed(OTHER_PEER, PAYLOAD), fixture.relay()));
        assertTrue(accept(fe, relayed(PEER, PAYLOAD), fixture.relay()));

        assertEquals(1, fixture.drops.count(DropReason.NOT_FROM_RELAY));
        assertEquals(1, fixture.drops.count(DropReason.MALFORMED));
        assertEquals(1, fixture.drops.count(DropReason.NOT_FROM_PEER));
    }

    @Test
    void with_on_unavailable_drop_a_refused_send_fails_as_a_native_write_cannot_be_reported_sent_and_is_counted() {
        fixture.proxy.refuse(true);
        NativeFrontEnd fe = frontEnd(true);

        IOException e = assertThrows(IOException.class, () -> fe.relayForSend(channel));

        assertTrue(e.getMessage().contains("onUnavailable=drop"), e.getMessage());
        assertEquals(1, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
    }

    @Test
    void with_on_unavailable_fail_a_refused_send_throws_an_io_exception_naming_the_proxy() {
        fixture.proxy.refuse(true);
        NativeFrontEnd fe = frontEnd(false);

        IOException e = assertThrows(IOException.class, () -> fe.relayForSend(channel));

        assertTrue(e.getMessage().contains(PROXY), e.getMessage());
        assertEquals(0, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
    }

    @Test
    void closing_releases_the_association() throws Exception {
        NativeFrontEnd fe = frontEnd(false);
        fe.relayForSend(channel);
        Association a = fixture.proxy.latest();

        fe.tunnel().close();

        FrontEndFixture.awaitClosed(a);
        assertNull(fe.currentRelay());
    }
}
