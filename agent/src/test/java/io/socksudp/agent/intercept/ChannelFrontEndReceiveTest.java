package io.socksudp.agent.intercept;

import static io.socksudp.agent.intercept.FrontEndFixture.PEER;
import static io.socksudp.agent.intercept.FrontEndFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.bootstrap.ChannelTunnel;
import io.socksudp.agent.config.HostMatcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelFrontEnd}'s receive loop as JDK 8 to 14's advice drives it ({@code ReceiveIntoSenderField}: the
 * JDK's receive into the swapped buffer, vetted, repeated after a drop while the front end says so), over a real
 * bound DatagramChannel that real loopback sockets send to. Only {@code 127.0.0.2} is bypassed here, so a sender on
 * {@code 127.0.0.1} is a stranger whose datagrams are junk to drop once the socket has an association, and one on
 * {@code 127.0.0.2} is delivered as it came.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChannelFrontEndReceiveTest {

    private static final byte[] PAYLOAD = "wanted".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JUNK = "junk".getBytes(StandardCharsets.US_ASCII);

    private final FrontEndFixture fixture;
    private final ChannelFrontEndTest.FakeChannelAccess access = new ChannelFrontEndTest.FakeChannelAccess();
    private final DatagramChannel channel;
    private final DatagramChannel stranger;
    private final DatagramChannel bypassed;
    private final ChannelFrontEnd fe;

    ChannelFrontEndReceiveTest() throws IOException {
        fixture = new FrontEndFixture(HostMatcher.of("127.0.0.2"));
        channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        stranger = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        bypassed = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        fe = new ChannelFrontEnd(fixture.associated(channel, access, false), fixture.routing, access, fixture.drops);
        assertSame(fe, fe.forSend(channel, PEER)); // associates: strangers are junk from now on
    }

    @AfterEach
    void close() throws IOException {
        channel.close();
        stranger.close();
        bypassed.close();
        fixture.close();
    }

    /**
     * One receive as the advice makes it: returns what the JDK's caller gets (a count, or the JDK's "nothing there"
     * status); counts in {@code rounds} how often the JDK's receive ran.
     */
    private int adviseReceive(ByteBuffer dst, int[] rounds) throws IOException {
        ByteBuffer swapped = fe.receiveBuffer(); // on entry only: a repeat runs the body again, not the entry
        while (true) {
            SocketAddress from = channel.receive(swapped); // the JDK's own receive, into the swapped buffer
            rounds[0]++;
            int n = from == null ? ChannelTunnel.UNAVAILABLE : swapped.position();
            access.source = (InetSocketAddress) from;
            int received = fe.received(channel, dst, n);
            if (received >= 0 || n < 0 || !fe.repeatAfterDrop(channel)) {
                return received;
            }
        }
    }

    private void send(DatagramChannel from, byte[] datagram) throws IOException {
        from.send(ByteBuffer.wrap(datagram), channel.getLocalAddress());
    }

    /** Lets the datagrams just sent on loopback reach the channel's queue, so a non-blocking receive finds them. */
    private void settle() throws InterruptedException {
        Thread.sleep(50);
    }

    @Test
    void a_non_blocking_receive_that_finds_nothing_passes_the_jdks_status_through_untouched() throws IOException {
        channel.configureBlocking(false);
        ByteBuffer dst = ByteBuffer.allocate(100);
        int[] rounds = {0};

        assertEquals(ChannelTunnel.UNAVAILABLE, adviseReceive(dst, rounds));

        assertEquals(1, rounds[0]);
        assertEquals(0, dst.position());
        assertNull(fe.reportedSender());
        assertEquals(0, fixture.drops.count(DropReason.NOT_FROM_RELAY));
        assertTrue(access.awaited.isEmpty());
    }

    @Test
    void a_non_blocking_receive_that_finds_only_junk_drops_it_and_reports_nothing_there_without_waiting()
            throws Exception {
        channel.configureBlocking(false);
        send(stranger, JUNK);
        send(stranger, JUNK);
        settle();
        ByteBuffer dst = ByteBuffer.allocate(100);
        int[] rounds = {0};

        assertEquals(ChannelTunnel.UNAVAILABLE, adviseReceive(dst, rounds));
        assertEquals(1, rounds[0], "a non-blocking receive is not repeated: the caller hears 'nothing there'");
        assertEquals(ChannelTunnel.UNAVAILABLE, adviseReceive(dst, rounds));
        assertEquals(ChannelTunnel.UNAVAILABLE, adviseReceive(dst, rounds), "the socket is empty now");

        assertEquals(0, dst.position());
        assertNull(fe.reportedSender());
        assertEquals(2, fixture.drops.count(DropReason.NOT_FROM_RELAY));
        assertTrue(access.awaited.isEmpty());
    }

    @Test
    void a_blocking_receive_repeats_past_the_junk_and_delivers_the_next_datagram_it_may_take() throws Exception {
        send(stranger, JUNK);
        send(stranger, JUNK);
        send(stranger, JUNK);
        send(bypassed, PAYLOAD);
        settle();
        ByteBuffer dst = ByteBuffer.allocate(100);
        int[] rounds = {0};

        int n = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> adviseReceive(dst, rounds));

        assertEquals(PAYLOAD.length, n);
        assertEquals(4, rounds[0], "three drops, each repeated");
        dst.flip();
        assertArrayEquals(PAYLOAD, bytes(dst));
        assertEquals(bypassed.getLocalAddress(), fe.reportedSender());
        assertEquals(3, fixture.drops.count(DropReason.NOT_FROM_RELAY));
        assertTrue(access.awaited.isEmpty(), "outside a timed receive a repeat blocks in the JDK, not in a wait");
    }

    @Test
    void a_timed_receive_waits_for_each_repeat_with_its_deadline_and_delivers_a_datagram_in_time() throws Exception {
        send(stranger, JUNK);
        send(bypassed, PAYLOAD);
        settle();
        long deadline = System.nanoTime() + 5_000_000_000L;
        fe.timedReceive(deadline);
        ByteBuffer dst = ByteBuffer.allocate(100);
        int[] rounds = {0};

        assertEquals(PAYLOAD.length, adviseReceive(dst, rounds));

        assertEquals(2, rounds[0]);
        assertEquals(1, access.awaited.size());
        assertEquals(deadline, (long) access.awaited.get(0));
        assertEquals(bypassed.getLocalAddress(), fe.reportedSender());

        fe.timedReceive(0L); // the adaptor's receive ended: the next drop repeats without a wait
        send(stranger, JUNK);
        send(bypassed, PAYLOAD);
        settle();
        dst.clear();
        assertEquals(PAYLOAD.length, adviseReceive(dst, rounds));
        assertEquals(1, access.awaited.size());
    }

    @Test
    void a_timed_receive_whose_deadline_passes_while_only_junk_arrives_times_out_having_delivered_nothing()
            throws Exception {
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread junk = new Thread(() -> {
            try {
                while (sending.get()) {
                    send(stranger, JUNK);
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                // the channel closed: the test is over
            }
        }, "junk");
        junk.start();
        try {
            long start = System.nanoTime();
            fe.timedReceive(start + 300_000_000L);
            ByteBuffer dst = ByteBuffer.allocate(100);
            int[] rounds = {0};

            assertThrows(SocketTimeoutException.class,
                    () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> adviseReceive(dst, rounds)));

            long tookMillis = (System.nanoTime() - start) / 1_000_000L;
            assertTrue(tookMillis >= 300, "timed out early: " + tookMillis + " ms");
            assertTrue(rounds[0] > 1, "junk kept coming and was dropped: " + rounds[0]);
            assertEquals(rounds[0], fixture.drops.count(DropReason.NOT_FROM_RELAY));
            assertEquals(0, dst.position());
            assertNull(fe.reportedSender());
        } finally {
            sending.set(false);
            junk.join();
        }
    }

    @Test
    void after_a_drop_the_receive_buffer_is_whole_again_for_the_repeat() throws Exception {
        send(stranger, new byte[] {'x'}); // shorter than what follows: a buffer left as the drop left it truncates
        send(bypassed, PAYLOAD);
        settle();
        ByteBuffer dst = ByteBuffer.allocate(100);

        assertEquals(PAYLOAD.length, adviseReceive(dst, new int[1]));

        dst.flip();
        assertArrayEquals(PAYLOAD, bytes(dst), "whole, with nothing of the dropped datagram in front of it");
        assertEquals(1, fixture.drops.count(DropReason.NOT_FROM_RELAY));
    }
}
