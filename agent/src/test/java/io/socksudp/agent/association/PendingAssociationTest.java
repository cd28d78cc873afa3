package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class PendingAssociationTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void poll_never_blocks_and_reports_the_outcome_once_there() throws Exception {
        PendingAssociation p = new PendingAssociation(System.nanoTime() + SECOND, "proxy.example:1080");
        assertNull(p.poll());
        IOException failure = new ProxyUnavailableException("refused");
        assertTrue(p.finish(null, failure));
        assertSame(failure, assertThrows(IOException.class, p::poll));
        assertFalse(p.finish(null, new IOException("late")), "the outcome is recorded once");
    }

    @Test
    void a_wait_ends_at_the_deadline_with_a_sentence_naming_the_proxy() {
        PendingAssociation p = new PendingAssociation(System.nanoTime() + 50_000_000L, "proxy.example:1080");
        long t0 = System.nanoTime();
        IOException e = assertThrows(ProxyUnavailableException.class, () -> p.await(true));
        assertTrue(e.getMessage().contains("proxy.example:1080"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < SECOND);
    }

    /** Cancelling closes the handshake's control connection and wakes every waiter at once with the cause. */
    @Test
    void cancel_wins_at_once_and_closes_the_control_connection() throws Exception {
        try (ServerSocket server = new ServerSocket(0); SocketChannel control = SocketChannel.open()) {
            control.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()));
            PendingAssociation p = new PendingAssociation(System.nanoTime() + 10 * SECOND, "p:1");
            assertTrue(p.started(control));
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    p.await(false);
                } catch (IOException e) {
                    seen.set(e);
                }
            });
            waiter.start();
            Thread.sleep(100);
            long t0 = System.nanoTime();
            p.cancel(new AsynchronousCloseException());
            waiter.join(2000);
            assertTrue(System.nanoTime() - t0 < 500_000_000L, "the waiter did not wake at once");
            assertTrue(seen.get() instanceof AsynchronousCloseException, String.valueOf(seen.get()));
            assertFalse(control.isOpen(), "the handshake's connection was not closed");
            assertTrue(p.cancelled());
            assertFalse(p.started(control), "a set-up cancelled before it started must not start");
        }
    }

    /** Interruptible: an interrupt that nothing follows up ends the wait after the grace, status kept. */
    @Test
    void an_interrupted_interruptible_wait_ends_with_the_status_set() throws Exception {
        PendingAssociation p = new PendingAssociation(System.nanoTime() + 10 * SECOND, "p:1");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                p.await(true);
            } catch (IOException e) {
                seen.set(e);
            }
            flag.set(Thread.currentThread().isInterrupted());
        });
        waiter.start();
        Thread.sleep(100);
        waiter.interrupt();
        waiter.join(3000);
        assertTrue(seen.get() instanceof InterruptedIOException, String.valueOf(seen.get()));
        assertEquals(Boolean.TRUE, flag.get());
    }

    /** Not interruptible (legacy sockets, connect): the wait goes on to the outcome, and the status is kept. */
    @Test
    void an_uninterruptible_wait_keeps_waiting_and_keeps_the_status() throws Exception {
        PendingAssociation p = new PendingAssociation(System.nanoTime() + 10 * SECOND, "p:1");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                p.await(false);
            } catch (IOException e) {
                seen.set(e);
            }
            flag.set(Thread.currentThread().isInterrupted());
        });
        waiter.start();
        Thread.sleep(100);
        waiter.interrupt();
        Thread.sleep(100);
        assertTrue(waiter.isAlive());
        IOException failure = new ProxyUnavailableException("refused");
        p.finish(null, failure);
        waiter.join(2000);
        assertSame(failure, seen.get());
        assertEquals(Boolean.TRUE, flag.get());
    }

    /** A caller that must not wait (a Netty event loop) is told of the end once, on the thread that ends it. */
    @Test
    void when_done_runs_once_at_the_end_or_at_once_when_it_is_over() throws Exception {
        PendingAssociation p = new PendingAssociation(System.nanoTime() + 10 * SECOND, "p:1");
        java.util.List<String> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
        p.whenDone(() -> runs.add(Thread.currentThread().getName()));
        assertTrue(runs.isEmpty(), "not before the end");
        Thread ender = new Thread(() -> p.finish(null, new IOException("refused")), "ender");
        ender.start();
        ender.join(2000);
        assertEquals(java.util.List.of("ender"), runs);
        assertFalse(p.finish(null, new IOException("late")));
        assertEquals(1, runs.size(), "once");
        p.whenDone(() -> runs.add("late"));
        assertEquals("late", runs.get(1), "a set-up over already runs it at once");

        PendingAssociation cancelled = new PendingAssociation(System.nanoTime() + 10 * SECOND, "p:1");
        cancelled.whenDone(() -> runs.add("cancelled"));
        cancelled.cancel(new AsynchronousCloseException());
        assertEquals("cancelled", runs.get(2), "a cancel (the socket closed) ends it too");
    }
}
