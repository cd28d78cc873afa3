package io.socksudp.agent.intercept;

import static io.socksudp.agent.intercept.FrontEndFixture.PEER;
import static io.socksudp.agent.intercept.FrontEndFixture.PROXY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.association.PendingAssociation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Sends made while the socket's association is being set up ({@link SendRoute#PENDING}): the fake proxy holds the
 * set-up at a gate, on the real association executor, while the test sends through the front ends as their advice
 * does, from a thread of its own where the send may block. A blocking channel waits (interruptibly, and a close wins
 * at once), a non-blocking one sends nothing and reports 0, a native (event-loop) caller is told to come back when
 * the set-up ends; a set-up that fails is a drop or an IOException as onUnavailable says.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PendingRouteTest {

    private static final byte[] PAYLOAD = "early".getBytes(StandardCharsets.US_ASCII);

    private final FrontEndFixture fixture;
    private final ChannelFrontEndTest.FakeChannelAccess access = new ChannelFrontEndTest.FakeChannelAccess();
    private final DatagramChannel channel;
    private final ExecutorService sender = Executors.newSingleThreadExecutor();

    PendingRouteTest() throws IOException {
        fixture = new FrontEndFixture();
        channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        fixture.proxy.hold();
    }

    @AfterEach
    void close() throws IOException {
        fixture.proxy.release();
        sender.shutdownNow();
        channel.close();
        fixture.close();
    }

    private ChannelFrontEnd frontEnd(boolean dropWhenUnavailable) {
        AssociatedSocket socket = fixture.associated(channel, access, dropWhenUnavailable);
        return new ChannelFrontEnd(socket, fixture.routing, access, fixture.drops);
    }

    /** A send's routing on the sender thread, once the set-up it started is held at the proxy's gate. */
    private Future<Object> blockedSend(ChannelFrontEnd fe) throws Exception {
        Future<Object> send = sender.submit(() -> fe.forSend(channel, PEER));
        assertTrue(fixture.proxy.awaitHeld(5), "no set-up started");
        assertThrows(TimeoutException.class, () -> send.get(200, TimeUnit.MILLISECONDS), "did not wait");
        return send;
    }

    /** The proxy goes down while it holds the set-up, which then fails. */
    private void refuseTheHeldSetUp() {
        fixture.proxy.refuse(true);
        fixture.proxy.release();
    }

    /** A send blocked on the set-up, which the proxy then refuses. */
    private Future<Object> blockedSendThenRefused(ChannelFrontEnd fe) throws Exception {
        Future<Object> send = blockedSend(fe);
        refuseTheHeldSetUp();
        return send;
    }

    /** The cause of the failure of {@code send}, within seconds. */
    private static Throwable failureOf(Future<Object> send, long seconds) throws Exception {
        return assertThrows(ExecutionException.class, () -> send.get(seconds, TimeUnit.SECONDS)).getCause();
    }

    /** Waits for {@code setup} to end (granted or failed). */
    private static void awaitSetUpEnded(PendingAssociation setup) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!setup.isDone()) {
            assertTrue(System.nanoTime() - end < 0, "the set-up did not end");
            Thread.sleep(5);
        }
    }

    @Test
    void a_non_blocking_send_during_the_set_up_sends_nothing_and_reports_0_with_the_payload_unconsumed()
            throws Exception {
        channel.configureBlocking(false);
        ChannelFrontEnd fe = frontEnd(false);
        ByteBuffer payload = ByteBuffer.wrap(PAYLOAD);
        ByteBuffer[] gathered = {ByteBuffer.wrap(PAYLOAD), ByteBuffer.wrap(PAYLOAD)};

        assertSame(fe, fe.forSend(channel, PEER));
        assertTrue(fixture.proxy.awaitHeld(5));
        assertTrue(fe.discarding(), "the JDK's send is skipped");
        assertEquals(0, fe.sent(payload, Integer.MAX_VALUE), "as when the socket buffer is full");
        assertEquals(0, payload.position());
        assertEquals(0L, fe.sent(gathered, 0, 2, Long.MAX_VALUE));
        assertEquals(0, gathered[0].position());

        assertSame(fe, fe.forSend(channel, PEER), "a second send joins the set-up in progress");
        assertTrue(fe.discarding());
        PendingAssociation setup = fe.tunnel().pendingSetUp();
        assertNotNull(setup);
        assertEquals(0, fixture.proxy.opened());
        assertEquals(0, fixture.drops.count(DropReason.PROXY_UNAVAILABLE), "nothing was dropped");

        fixture.proxy.release();
        awaitSetUpEnded(setup);

        assertSame(fe, fe.forSend(channel, PEER));
        assertFalse(fe.discarding());
        assertEquals(fixture.relay(), fe.relay());
        assertEquals(PAYLOAD.length, fe.sent(payload, PAYLOAD.length + 10), "sent now, and consumed");
        assertFalse(payload.hasRemaining());
        assertEquals(1, fixture.proxy.opened());
    }

    @Test
    void a_blocking_send_during_the_set_up_waits_for_it_and_goes_to_the_new_relay() throws Exception {
        ChannelFrontEnd fe = frontEnd(false);
        Future<Object> send = blockedSend(fe);

        fixture.proxy.release();

        assertSame(fe, send.get(5, TimeUnit.SECONDS));
        assertFalse(fe.discarding());
        assertEquals(fixture.relay(), fe.relay());
        ByteBuffer payload = ByteBuffer.wrap(PAYLOAD);
        assertEquals(PAYLOAD.length, fe.sent(payload, PAYLOAD.length + 10));
    }

    @Test
    void an_interrupt_ends_a_blocking_senders_wait_as_the_jdks_blocking_operations_end() throws Exception {
        ChannelFrontEnd fe = frontEnd(false);
        CountDownLatch waiting = new CountDownLatch(1);
        Thread[] thread = new Thread[1];
        Future<Object> send = sender.submit(() -> {
            thread[0] = Thread.currentThread();
            waiting.countDown();
            try {
                return fe.forSend(channel, PEER);
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt status is kept");
            }
        });
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        assertTrue(fixture.proxy.awaitHeld(5));

        thread[0].interrupt();

        // No JDK interruptor closes the channel here, so the wait ends after its grace (1 s), not at once.
        assertInstanceOf(ClosedByInterruptException.class, failureOf(send, 5));
    }

    @Test
    void closing_the_socket_during_the_set_up_wakes_a_blocked_sender_at_once_and_releases_what_is_granted_after()
            throws Exception {
        ChannelFrontEnd fe = frontEnd(false);
        Future<Object> send = blockedSend(fe);

        fe.tunnel().close();

        assertInstanceOf(AsynchronousCloseException.class, failureOf(send, 2), "while the proxy still holds it");
        fixture.proxy.release();
        long end = System.nanoTime() + 5_000_000_000L;
        while (fixture.proxy.opened() == 0) {
            assertTrue(System.nanoTime() - end < 0, "the held set-up never went on");
            Thread.sleep(5);
        }
        Association late = fixture.proxy.latest();
        FrontEndFixture.awaitClosed(late);
        assertNull(fe.tunnel().currentRelay());
        channel.configureBlocking(false);
        assertThrows(ClosedChannelException.class, () -> fe.forSend(channel, PEER), "a send after the close");
    }

    @Test
    void with_on_unavailable_drop_a_set_up_that_fails_while_a_send_waits_discards_that_send_and_counts_it()
            throws Exception {
        ChannelFrontEnd fe = frontEnd(true);
        Future<Object> send = blockedSendThenRefused(fe);

        assertSame(fe, send.get(5, TimeUnit.SECONDS));
        assertTrue(fe.discarding());
        assertEquals(1, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
        ByteBuffer payload = ByteBuffer.wrap(PAYLOAD);
        assertEquals(PAYLOAD.length, fe.sent(payload, Integer.MAX_VALUE), "reported sent, as a datagram lost");
    }

    @Test
    void with_on_unavailable_fail_a_set_up_that_fails_while_a_send_waits_fails_that_send_naming_the_proxy()
            throws Exception {
        ChannelFrontEnd fe = frontEnd(false);
        Future<Object> send = blockedSendThenRefused(fe);

        Throwable failure = failureOf(send, 5);
        assertInstanceOf(IOException.class, failure);
        assertTrue(failure.getMessage().contains(PROXY), failure.getMessage());
        assertEquals(0, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
    }

    /** A non-blocking send during a set-up that then fails: the next send hears of it, as onUnavailable says. */
    private ChannelFrontEnd nonBlockingSendThroughAFailedSetUp(boolean dropWhenUnavailable) throws Exception {
        channel.configureBlocking(false);
        ChannelFrontEnd fe = frontEnd(dropWhenUnavailable);
        assertSame(fe, fe.forSend(channel, PEER));
        assertTrue(fixture.proxy.awaitHeld(5));
        PendingAssociation setup = fe.tunnel().pendingSetUp();
        assertEquals(0, fe.sent(ByteBuffer.wrap(PAYLOAD), Integer.MAX_VALUE));

        refuseTheHeldSetUp();
        awaitSetUpEnded(setup);
        return fe;
    }

    @Test
    void with_on_unavailable_drop_a_non_blocking_send_after_a_failed_set_up_is_discarded_not_held()
            throws Exception {
        ChannelFrontEnd fe = nonBlockingSendThroughAFailedSetUp(true);

        assertSame(fe, fe.forSend(channel, PEER));

        assertTrue(fe.discarding());
        assertEquals(PAYLOAD.length, fe.sent(ByteBuffer.wrap(PAYLOAD), Integer.MAX_VALUE), "lost, not 'try again'");
        assertEquals(1, fixture.drops.count(DropReason.PROXY_UNAVAILABLE));
    }

    @Test
    void with_on_unavailable_fail_a_non_blocking_send_after_a_failed_set_up_throws_naming_the_proxy()
            throws Exception {
        ChannelFrontEnd fe = nonBlockingSendThroughAFailedSetUp(false);

        IOException e = assertThrows(IOException.class, () -> fe.forSend(channel, PEER));

        assertTrue(e.getMessage().contains(PROXY), e.getMessage());
    }

    @Test
    void a_native_front_end_is_told_to_come_back_when_the_set_up_ends_and_then_gets_the_relay() throws Exception {
        NativeFrontEnd fe = new NativeFrontEnd(fixture.associated(channel, access, false), fixture.routing,
                fixture.drops);
        assertFalse(fe.isDirect(PEER));

        assertNull(fe.relayIfReady(channel), "an event loop never waits");
        assertTrue(fixture.proxy.awaitHeld(5));
        PendingAssociation setup = fe.pendingSetUp();
        assertNotNull(setup);
        CountDownLatch done = new CountDownLatch(1);
        setup.whenDone(done::countDown);
        assertFalse(done.await(100, TimeUnit.MILLISECONDS));

        fixture.proxy.release();

        assertTrue(done.await(5, TimeUnit.SECONDS), "told when the set-up ended");
        assertEquals(fixture.relay(), fe.relayIfReady(channel));
        assertNull(fe.pendingSetUp());
    }
}
