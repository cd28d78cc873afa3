package io.socksudp.demo.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chat programs in-process on loopback (no NAT, no agent): the protocol and the timing controls. */
@Timeout(60)
class ChatTest {

    private record Run(int code, List<String> lines) {
        String text() {
            return String.join("\n", lines);
        }

        int indexOf(String fragment) {
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(fragment)) {
                    return i;
                }
            }
            return -1;
        }
    }

    private static CompletableFuture<Run> peer(String... args) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            int code = ChatPeer.run(args, out, out);
            return new Run(code, bytes.toString(StandardCharsets.UTF_8).lines().toList());
        });
    }

    private static Rendezvous rendezvous(ByteArrayOutputStream log) throws Exception {
        return Rendezvous.start(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void twoPeersExchangeMessagesBothWays() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Rendezvous rendezvous = rendezvous(log)) {
            String at = "127.0.0.1:" + rendezvous.address().getPort();
            CompletableFuture<Run> a = peer("--rendezvous", at, "--name", "A", "--peer", "B", "--count", "2",
                    "--bind", "127.0.0.1", "--interval", "100", "--timeout", "10000", "--linger", "300");
            CompletableFuture<Run> b = peer("--rendezvous", at, "--name", "B", "--peer", "A", "--count", "2",
                    "--message", "hi", "--bind", "127.0.0.1", "--interval", "100", "--timeout", "10000",
                    "--linger", "300");
            Run ra = a.get(20, TimeUnit.SECONDS);
            Run rb = b.get(20, TimeUnit.SECONDS);
            assertEquals(0, ra.code(), ra.text());
            assertEquals(0, rb.code(), rb.text());
            assertTrue(ra.text().contains("received 2 from B at 127.0.0.1:") && ra.text().contains(": hi #2"), ra.text());
            assertTrue(rb.text().contains(": hello from A #1"), rb.text());
            assertTrue(ra.lines().get(ra.lines().size() - 1).startsWith("chat: OK sent 2/2 acknowledged, received 2/2"),
                    ra.text());
            String rlog = log.toString(StandardCharsets.UTF_8);
            assertTrue(rlog.contains("rendezvous: A registered from 127.0.0.1:"), rlog);
            assertTrue(rlog.contains("that A is at 127.0.0.1:") && rlog.contains("that B is at 127.0.0.1:"), rlog);
        }
    }

    @Test
    void punchDelayHoldsBackEveryDatagramToThePeer() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Rendezvous rendezvous = rendezvous(log)) {
            String at = "127.0.0.1:" + rendezvous.address().getPort();
            long start = System.nanoTime();
            CompletableFuture<Run> b = peer("--rendezvous", at, "--name", "B", "--peer", "A", "--count", "1",
                    "--bind", "127.0.0.1", "--interval", "100", "--punch-delay", "1500", "--timeout", "10000",
                    "--linger", "200");
            CompletableFuture<Run> a = peer("--rendezvous", at, "--name", "A", "--peer", "B", "--count", "1",
                    "--bind", "127.0.0.1", "--interval", "100", "--timeout", "10000", "--linger", "200");
            Run rb = b.get(20, TimeUnit.SECONDS);
            Run ra = a.get(20, TimeUnit.SECONDS);
            assertEquals(0, ra.code(), ra.text());
            assertEquals(0, rb.code(), rb.text());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(1500));
            int over = rb.indexOf("punch delay of 1500 ms over");
            assertTrue(over > 0, rb.text());
            for (String contact : List.of("sent 1 to A", "punched A")) {
                int first = rb.indexOf(contact);
                assertTrue(first < 0 || first > over, "B contacted A before its punch delay:\n" + rb.text());
            }
            // A, on the other hand, started sending at once: B received before it sent anything.
            assertTrue(rb.indexOf("received 1 from A") >= 0, rb.text());
        }
    }

    @Test
    void aPeerWhoseCounterpartNeverComesTimesOut() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Rendezvous rendezvous = rendezvous(log)) {
            String at = "127.0.0.1:" + rendezvous.address().getPort();
            Run ra = peer("--rendezvous", at, "--name", "A", "--peer", "B", "--bind", "127.0.0.1",
                    "--interval", "100", "--timeout", "800").get(10, TimeUnit.SECONDS);
            assertEquals(1, ra.code(), ra.text());
            assertTrue(ra.text().contains("chat: FAILED timeout after") && ra.text().contains("never learned"),
                    ra.text());
            assertTrue(ra.text().contains("the rendezvous sees me at 127.0.0.1:"), ra.text());
        }
    }

    @Test
    void answersTheAddressOnTheWireNotTheOneTheRendezvousGave() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Rendezvous rendezvous = rendezvous(log);
             DatagramSocket fakeB = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
             DatagramSocket realB = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            String at = "127.0.0.1:" + rendezvous.address().getPort();
            // B registers from one socket (what the rendezvous will announce)...
            byte[] reg = "REGISTER B A".getBytes(StandardCharsets.UTF_8);
            fakeB.send(new DatagramPacket(reg, reg.length, rendezvous.address()));
            CompletableFuture<Run> a = peer("--rendezvous", at, "--name", "A", "--peer", "B", "--count", "0",
                    "--expect", "1", "--bind", "127.0.0.1", "--interval", "100", "--timeout", "10000",
                    "--linger", "0");
            // ... but talks from another (as a NAT that picked a new port would).
            DatagramPacket fromA = new DatagramPacket(new byte[2048], 2048);
            fakeB.setSoTimeout(5000);
            do {
                fakeB.receive(fromA); // skips the rendezvous's SEEN and PEER: waits for A's punch
            } while (fromA.getSocketAddress().equals(rendezvous.address()));
            InetSocketAddress aAddress = (InetSocketAddress) fromA.getSocketAddress();
            byte[] msg = "MSG B 1 from the other port".getBytes(StandardCharsets.UTF_8);
            realB.send(new DatagramPacket(msg, msg.length, aAddress));
            realB.setSoTimeout(5000);
            DatagramPacket ack = new DatagramPacket(new byte[2048], 2048);
            realB.receive(ack);
            assertEquals("ACK A 1", new String(ack.getData(), 0, ack.getLength(), StandardCharsets.UTF_8));
            Run ra = a.get(20, TimeUnit.SECONDS);
            assertEquals(0, ra.code(), ra.text());
            assertTrue(ra.text().contains("B is at 127.0.0.1:" + realB.getLocalPort() + " as seen on the wire"),
                    ra.text());
        }
    }

    @Test
    void badUsageExits2() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(2, ChatPeer.run(new String[] {"--name", "A", "--peer", "A", "--rendezvous", "127.0.0.1:1"},
                err, err));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("must differ"));
        assertEquals(2, Rendezvous.run(new String[] {"--port", "x"}, err, err));
    }
}
