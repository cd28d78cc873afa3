package io.socksudp.demo.relay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.socksudp.demo.relay.RawSocks5Client.greeting;
import static io.socksudp.demo.relay.RawSocks5Client.request;
import static io.socksudp.demo.relay.RawSocks5Client.udpIpv4;
import static io.socksudp.demo.relay.RawSocks5Client.zeroUdpAssociate;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ReferenceRelayTest {
    private static final InetAddress LOOPBACK = RelayOptions.loopbackV4();

    private final BlockingQueue<RelayEvent> events = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private ReferenceRelay relay;

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private ReferenceRelay start(RelayOptions.Builder builder) throws IOException {
        relay = ReferenceRelay.start(builder.eventSink(events::add).build());
        return relay;
    }

    private RawSocks5Client connect() throws IOException {
        RawSocks5Client client = new RawSocks5Client(relay.tcpPort());
        cleanup.add(client);
        return client;
    }

    private DatagramSocket udp() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(3000);
        cleanup.add(socket);
        return socket;
    }

    private static DatagramPacket receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        socket.receive(packet);
        return packet;
    }

    /** Null if nothing arrives within the given time. */
    private static DatagramPacket receiveOrNull(DatagramSocket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return receive(socket);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static byte[] bytes(DatagramPacket packet) {
        return Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void send(DatagramSocket from, byte[] data, InetSocketAddress to) throws IOException {
        from.send(new DatagramPacket(data, data.length, to));
    }

    private <T extends RelayEvent> T awaitEvent(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            RelayEvent event = events.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(event)) {
                return type.cast(event);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " event");
    }

    private static InetSocketAddress local(DatagramSocket socket) {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Test
    void noAuthAssociationRelaysBothWaysWithRfcHeaders() throws Exception {
        start(RelayOptions.builder());
        RawSocks5Client control = connect();
        InetSocketAddress bnd = control.associate();
        assertEquals(LOOPBACK, bnd.getAddress(), "BND.ADDR is the address the TCP connection arrived on");
        RelayEvent.AssociationOpened opened = awaitEvent(RelayEvent.AssociationOpened.class);
        assertEquals(bnd, opened.relayAddress());

        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, local(remote), ascii("hello")), bnd);

        DatagramPacket atRemote = receive(remote);
        assertArrayEquals(ascii("hello"), bytes(atRemote), "the remote host gets the bare payload");
        InetSocketAddress relaySource = (InetSocketAddress) atRemote.getSocketAddress();
        assertEquals(opened.externalAddress(), relaySource, "it comes from the relay's external socket");
        assertNotEquals(local(client), relaySource);

        send(remote, ascii("world!"), relaySource);
        DatagramPacket atClient = receive(client);
        assertEquals(bnd, atClient.getSocketAddress(), "replies come from BND.ADDR:BND.PORT");
        int port = local(remote).getPort();
        byte[] expected = {0, 0, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port, 'w', 'o', 'r', 'l', 'd', '!'};
        assertArrayEquals(expected, bytes(atClient), "RSV FRAG ATYP=1 sender's address and port, then data");

        RelayEvent.ClientToRemote out = awaitEvent(RelayEvent.ClientToRemote.class);
        assertEquals(new RelayEvent.ClientToRemote(opened.association(), local(client), local(remote), 5), out);
        RelayEvent.RemoteToClient back = awaitEvent(RelayEvent.RemoteToClient.class);
        assertEquals(new RelayEvent.RemoteToClient(opened.association(), local(remote), local(client), 6), back);
        assertEquals("relay: client 127.0.0.1:" + local(client).getPort() + " -> 127.0.0.1:" + port + " (5 bytes)",
                out.line());
        assertEquals(1, relay.counters().associationsOpened());
        assertEquals(1, relay.counters().datagramsToRemote());
        assertEquals(1, relay.counters().datagramsToClient());
        assertEquals(0, relay.counters().datagramsDropped());
    }

    @Test
    void domainNameDestinationIsResolved() throws Exception {
        start(RelayOptions.builder());
        InetSocketAddress bnd = connect().associate();
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, RawSocks5Client.udpDomain("localhost", local(remote).getPort(), ascii("by name")), bnd);
        assertArrayEquals(ascii("by name"), bytes(receive(remote)));
    }

    @Test
    void usernamePasswordAccepted() throws Exception {
        start(RelayOptions.builder().credentials("alice", "s3cret"));
        RawSocks5Client control = connect();
        control.write(greeting(0, 2));
        assertArrayEquals(new byte[] {5, 2}, control.read(2), "only username/password is chosen");
        control.write(RawSocks5Client.auth("alice", "s3cret"));
        assertArrayEquals(new byte[] {1, 0}, control.read(2));
        control.write(zeroUdpAssociate());
        assertEquals(LOOPBACK, control.readIpv4Reply(0).getAddress());
    }

    @Test
    void usernamePasswordRejected() throws Exception {
        start(RelayOptions.builder().credentials("alice", "s3cret"));
        RawSocks5Client control = connect();
        control.write(greeting(2));
        assertArrayEquals(new byte[] {5, 2}, control.read(2));
        control.write(RawSocks5Client.auth("alice", "wrong"));
        assertArrayEquals(new byte[] {1, 1}, control.read(2), "status 1: failure");
        assertTrue(control.closedByServer(), "RFC 1929: the server closes after a failure");
        assertTrue(awaitEvent(RelayEvent.Rejected.class).reason().contains("alice"));
        assertEquals(0, relay.counters().associationsOpened());
    }

    @Test
    void noAcceptableMethod() throws Exception {
        start(RelayOptions.builder().credentials("alice", "s3cret"));
        RawSocks5Client control = connect();
        control.write(greeting(0));
        assertArrayEquals(new byte[] {5, (byte) 0xFF}, control.read(2));
        assertTrue(control.closedByServer());
    }

    @Test
    void pipelinedGreetingAuthAndRequestInOneSegment() throws Exception {
        start(RelayOptions.builder().credentials("bob", "pw"));
        RawSocks5Client control = connect();
        control.write(greeting(2), RawSocks5Client.auth("bob", "pw"), zeroUdpAssociate());
        assertArrayEquals(new byte[] {5, 2}, control.read(2));
        assertArrayEquals(new byte[] {1, 0}, control.read(2));
        InetSocketAddress bnd = control.readIpv4Reply(0);
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, local(remote), ascii("x")), bnd);
        assertArrayEquals(ascii("x"), bytes(receive(remote)));
    }

    @Test
    void pipelinedGreetingAndRequestWithoutAuth() throws Exception {
        start(RelayOptions.builder());
        RawSocks5Client control = connect();
        control.write(greeting(0), zeroUdpAssociate());
        assertArrayEquals(new byte[] {5, 0}, control.read(2));
        control.readIpv4Reply(0);
    }

    @Test
    void connectAndBindRefusedWithRep7() throws Exception {
        start(RelayOptions.builder());
        for (int command : new int[] {1, 2}) {
            RawSocks5Client control = connect();
            control.write(greeting(0), request(command, "127.0.0.1", 80));
            assertArrayEquals(new byte[] {5, 0}, control.read(2));
            assertEquals(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), control.readIpv4Reply(7));
            assertTrue(control.closedByServer());
        }
        assertEquals(0, relay.counters().associationsOpened());
        assertEquals(2, relay.counters().connectionsRejected());
    }

    @Test
    void unknownAddressTypeRefusedWithRep8() throws Exception {
        start(RelayOptions.builder());
        RawSocks5Client control = connect();
        control.write(greeting(0), new byte[] {5, 3, 0, 9, 0, 0, 0, 0, 0, 0});
        assertArrayEquals(new byte[] {5, 0}, control.read(2));
        control.readIpv4Reply(8);
        assertTrue(control.closedByServer());
    }

    @Test
    void fragmentedDatagramDropped() throws Exception {
        start(RelayOptions.builder());
        InetSocketAddress bnd = connect().associate();
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(1, local(remote), ascii("part one")), bnd);
        assertNull(receiveOrNull(remote, 300));
        RelayEvent.Dropped dropped = awaitEvent(RelayEvent.Dropped.class);
        assertEquals(DropReason.FRAGMENT, dropped.reason());
        assertEquals("relay: dropped fragment from " + "127.0.0.1:" + local(client).getPort(), dropped.line());
        assertEquals(1, relay.counters().datagramsDropped(DropReason.FRAGMENT));

        send(client, udpIpv4(0, local(remote), ascii("whole")), bnd);
        assertArrayEquals(ascii("whole"), bytes(receive(remote)), "an unfragmented one still goes through");
    }

    @Test
    void datagramFromForeignPortDroppedAfterLock() throws Exception {
        start(RelayOptions.builder());
        InetSocketAddress bnd = connect().associate();
        DatagramSocket client = udp();
        DatagramSocket stranger = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, local(remote), ascii("first")), bnd);
        assertArrayEquals(ascii("first"), bytes(receive(remote)));

        send(stranger, udpIpv4(0, local(remote), ascii("intruder")), bnd);
        assertNull(receiveOrNull(remote, 300));
        assertEquals(1, relay.counters().datagramsDropped(DropReason.FOREIGN_PORT));

        // Replies still go to the locked client, not to the stranger.
        send(remote, ascii("reply"), (InetSocketAddress) receiveSource(client, remote, bnd));
        assertTrue(bytes(receive(client)).length > 0);
        assertNull(receiveOrNull(stranger, 200));
    }

    /** Sends one more datagram through and returns where the remote saw it come from. */
    private static java.net.SocketAddress receiveSource(DatagramSocket client, DatagramSocket remote,
                                                        InetSocketAddress bnd) throws IOException {
        send(client, udpIpv4(0, local(remote), ascii("probe")), bnd);
        return receive(remote).getSocketAddress();
    }

    @Test
    void nonZeroRequestAddressIsEnforcedExactly() throws Exception {
        start(RelayOptions.builder());
        DatagramSocket declared = udp();
        DatagramSocket other = udp();
        DatagramSocket remote = udp();
        RawSocks5Client control = connect();
        control.write(greeting(0), request(3, "127.0.0.1", local(declared).getPort()));
        control.read(2);
        InetSocketAddress bnd = control.readIpv4Reply(0);

        send(other, udpIpv4(0, local(remote), ascii("not me")), bnd);
        assertNull(receiveOrNull(remote, 300), "the first datagram does not lock when the port was declared");
        send(declared, udpIpv4(0, local(remote), ascii("me")), bnd);
        assertArrayEquals(ascii("me"), bytes(receive(remote)));
        assertEquals(1, relay.counters().datagramsDropped(DropReason.FOREIGN_PORT));
    }

    @Test
    void remoteDatagramBeforeClientIsKnownDropped() throws Exception {
        start(RelayOptions.builder());
        connect().associate();
        RelayEvent.AssociationOpened opened = awaitEvent(RelayEvent.AssociationOpened.class);
        DatagramSocket remote = udp();
        send(remote, ascii("too early"), opened.externalAddress());
        assertEquals(DropReason.CLIENT_UNKNOWN, awaitEvent(RelayEvent.Dropped.class).reason());
    }

    @Test
    void associationEndsWhenTcpConnectionCloses() throws Exception {
        start(RelayOptions.builder());
        RawSocks5Client control = connect();
        InetSocketAddress bnd = control.associate();
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, local(remote), ascii("before")), bnd);
        assertArrayEquals(ascii("before"), bytes(receive(remote)));

        control.close();
        RelayEvent.AssociationClosed closed = awaitEvent(RelayEvent.AssociationClosed.class);
        assertEquals("relay: association " + closed.association() + " closed", closed.line());
        assertEquals(1, relay.counters().associationsClosed());

        send(client, udpIpv4(0, local(remote), ascii("after")), bnd);
        assertNull(receiveOrNull(remote, 300), "the UDP port stopped relaying");
        // The port itself is gone: a connected socket hears the ICMP port-unreachable.
        client.connect(bnd);
        client.send(new DatagramPacket(new byte[10], 10));
        try {
            receiveOrNull(client, 500);
            throw new AssertionError("expected PortUnreachableException");
        } catch (java.net.PortUnreachableException expected) {
            // the relay port is closed
        }
    }

    @Test
    void closingTheRelayEndsItsAssociations() throws Exception {
        start(RelayOptions.builder());
        RawSocks5Client control = connect();
        control.associate();
        awaitEvent(RelayEvent.AssociationOpened.class);
        relay.close();
        awaitEvent(RelayEvent.AssociationClosed.class);
        assertTrue(control.closedByServer());
    }
}
