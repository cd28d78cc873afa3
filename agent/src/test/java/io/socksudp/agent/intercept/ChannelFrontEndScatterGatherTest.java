package io.socksudp.agent.intercept;

import static io.socksudp.agent.intercept.FrontEndFixture.PEER;
import static io.socksudp.agent.intercept.FrontEndFixture.bytes;
import static io.socksudp.agent.intercept.FrontEndFixture.relayed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.socksudp.agent.metrics.Metrics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelFrontEnd}'s gathering writes and scattering reads on a socket connected through the tunnel, each
 * beside the same operation of the plain JDK on a real connected DatagramChannel: the counts returned and the
 * positions left in the caller's buffers must be the JDK's. A gathered datagram is sent through a real channel
 * and read as it arrives; a scattered read takes what the channel's (vetted) receive delivers, here a real datagram
 * from a real socket (the unwrapping itself is the inner receive's, see {@link ChannelFrontEndTest}; end to end,
 * the differential suite's scatter/gather cases).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChannelFrontEndScatterGatherTest {

    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final FrontEndFixture fixture;
    private final ChannelFrontEndTest.FakeChannelAccess access = new ChannelFrontEndTest.FakeChannelAccess();
    /** The application's channel, connected through the tunnel to {@link FrontEndFixture#PEER}. */
    private final DatagramChannel channel;
    /** The plain JDK's channel, connected to {@link #far}: the reference. */
    private final DatagramChannel plain;
    /** The other end of both: it sends what the two read, and receives what the plain channel writes. */
    private final DatagramChannel far;
    private final ChannelFrontEnd fe;

    ChannelFrontEndScatterGatherTest() throws IOException {
        fixture = new FrontEndFixture();
        channel = DatagramChannel.open().bind(ANY_LOOPBACK);
        far = DatagramChannel.open().bind(ANY_LOOPBACK);
        plain = DatagramChannel.open().bind(ANY_LOOPBACK).connect(far.getLocalAddress());
        fe = new ChannelFrontEnd(fixture.associated(channel, access, false), fixture.routing, access, fixture.drops);
        fe.connected(PEER);
        assertSame(fe, fe.forPeerSend(channel));
    }

    @AfterEach
    void close() throws IOException {
        channel.close();
        plain.close();
        far.close();
        fixture.close();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code srcs} again, each buffer a copy with the same content, position and limit. */
    private static ByteBuffer[] copy(ByteBuffer[] srcs) {
        ByteBuffer[] out = new ByteBuffer[srcs.length];
        for (int i = 0; i < srcs.length; i++) {
            ByteBuffer whole = srcs[i].duplicate();
            whole.clear();
            ByteBuffer b = ByteBuffer.allocate(whole.capacity());
            b.put(whole);
            b.limit(srcs[i].limit());
            b.position(srcs[i].position());
            out[i] = b;
        }
        return out;
    }

    private static int[] positions(ByteBuffer[] buffers) {
        int[] out = new int[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            out[i] = buffers[i].position();
        }
        return out;
    }

    private static byte[] received(DatagramChannel at) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(2048);
        at.receive(in);
        in.flip();
        return bytes(in);
    }

    /** A gathering write as the advice makes it: framed into one buffer, written by the JDK, accounted for. */
    private long adviseGatheringWrite(ByteBuffer[] srcs, int offset, int length, DatagramChannel through)
            throws IOException {
        ByteBuffer[] framed = fe.frameForPeer(srcs, offset, length);
        assertEquals(1, framed.length);
        return fe.sent(srcs, offset, length, through.write(framed, 0, 1));
    }

    @Test
    void a_gathering_write_is_one_datagram_with_the_peers_header_in_front_of_the_gathered_payload()
            throws IOException {
        ByteBuffer started = ascii("XXcde"); // only what remains is written
        started.position(2);
        ByteBuffer[] srcs = {ascii("skip"), started, ascii("fgh"), ByteBuffer.allocate(0), ascii("ij"), ascii("skip")};
        ByteBuffer[] reference = copy(srcs);
        long sentBefore = Metrics.datagramsSentThroughProxy();
        long bytesBefore = Metrics.bytesSentThroughProxy();

        try (DatagramChannel toRelay = DatagramChannel.open().bind(ANY_LOOPBACK).connect(far.getLocalAddress())) {
            long written = adviseGatheringWrite(srcs, 1, 4, toRelay);

            assertArrayEquals(relayed(PEER, "cdefghij".getBytes(StandardCharsets.US_ASCII)), received(far),
                    "one datagram: the header, then the payloads in order");
            long plainWritten = plain.write(reference, 1, 4);
            received(far);
            assertEquals(plainWritten, written, "the payload's bytes, as the JDK counts them");
            assertEquals(8, written);
            assertArrayEquals(positions(reference), positions(srcs), "positions as the JDK leaves them");
        }
        assertEquals(sentBefore + 1, Metrics.datagramsSentThroughProxy());
        assertEquals(bytesBefore + 8, Metrics.bytesSentThroughProxy());
    }

    @Test
    void framing_a_gathering_write_consumes_nothing_until_the_jdk_reports_it_sent() throws IOException {
        ByteBuffer[] srcs = {ascii("ab"), ascii("cd")};

        fe.frameForPeer(srcs, 0, 2);

        assertArrayEquals(new int[] {0, 0}, positions(srcs));
        assertEquals(0, fe.sent(srcs, 0, 2, 0L), "nothing sent (a full socket buffer): 0, as the JDK says");
        assertArrayEquals(new int[] {0, 0}, positions(srcs));
        assertEquals(-3L, fe.sent(srcs, 0, 2, -3L), "a JDK status passes through");
        assertArrayEquals(new int[] {0, 0}, positions(srcs));
    }

    @Test
    void a_discarded_gathering_write_is_reported_sent_whole_and_not_counted_as_sent_through_the_proxy() {
        ByteBuffer[] srcs = {ascii("ab"), ascii("cde")};
        long sentBefore = Metrics.datagramsSentThroughProxy();

        assertEquals(5L, fe.sent(srcs, 0, 2, Long.MAX_VALUE));

        assertArrayEquals(new int[] {2, 3}, positions(srcs));
        assertEquals(sentBefore, Metrics.datagramsSentThroughProxy());
    }

    /** Sends {@code datagram} from the far end to both the tunnelled channel and the plain one. */
    private void arrive(String datagram) throws Exception {
        far.send(ascii(datagram), channel.getLocalAddress());
        far.send(ascii(datagram), plain.getLocalAddress());
        Thread.sleep(50); // both queued before either reads: the comparison is of what they do, not of timing
    }

    @Test
    void a_scattering_read_fills_the_buffers_in_order_as_the_jdk_does() throws Exception {
        arrive("hello world");
        ByteBuffer[] dsts = {ByteBuffer.allocate(3), ByteBuffer.allocate(3), ByteBuffer.allocate(4),
                ByteBuffer.allocate(10), ByteBuffer.allocate(5)};
        dsts[1].position(1); // a buffer partly filled already takes only what it has room for
        ByteBuffer[] reference = copy(dsts);

        long read = fe.readFromPeer(channel, dsts, 1, 3);

        assertEquals(plain.read(reference, 1, 3), read);
        assertEquals(11, read);
        assertArrayEquals(positions(reference), positions(dsts));
        assertArrayEquals(new int[] {0, 3, 4, 5, 0}, positions(dsts));
        assertEquals("he", new String(dsts[1].array(), 1, 2, StandardCharsets.US_ASCII));
        assertEquals("llo ", new String(dsts[2].array(), StandardCharsets.US_ASCII));
        assertEquals("world", new String(dsts[3].array(), 0, 5, StandardCharsets.US_ASCII));
    }

    @Test
    void a_datagram_longer_than_the_buffers_is_truncated_and_its_rest_discarded_as_the_jdk_does() throws Exception {
        arrive("0123456789");
        arrive("next");
        ByteBuffer[] dsts = {ByteBuffer.allocate(2), ByteBuffer.allocate(3)};
        ByteBuffer[] reference = copy(dsts);

        long read = fe.readFromPeer(channel, dsts, 0, 2);

        assertEquals(plain.read(reference), read);
        assertEquals(5, read);
        assertArrayEquals(positions(reference), positions(dsts));
        assertEquals("01", new String(dsts[0].array(), StandardCharsets.US_ASCII));
        assertEquals("234", new String(dsts[1].array(), StandardCharsets.US_ASCII));

        ByteBuffer[] again = {ByteBuffer.allocate(10)};
        assertEquals(4, fe.readFromPeer(channel, again, 0, 1), "the next read gets the next datagram");
        assertEquals("next", new String(again[0].array(), 0, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void a_non_blocking_read_that_finds_nothing_returns_0_as_the_jdk_does_and_fills_nothing() throws IOException {
        channel.configureBlocking(false);
        plain.configureBlocking(false);
        ByteBuffer[] dsts = {ByteBuffer.allocate(4), ByteBuffer.allocate(4)};
        ByteBuffer single = ByteBuffer.allocate(4);

        assertEquals(plain.read(copy(dsts)), fe.readFromPeer(channel, dsts, 0, 2));
        assertEquals(plain.read(ByteBuffer.allocate(4)), fe.readFromPeer(channel, single));

        assertArrayEquals(new int[] {0, 0}, positions(dsts));
        assertEquals(0, single.position());
    }
}
