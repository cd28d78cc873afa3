package io.socksudp.demo.relay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each {@link Misbehaviour} switch, shown on the wire with a byte-level client and plain UDP sockets. */
@Timeout(30)
class MisbehaviourTest {
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

    private void start(Misbehaviour... quirks) throws IOException {
        start(RelayOptions.builder().misbehave(quirks));
    }

    private void start(RelayOptions.Builder builder) throws IOException {
        relay = ReferenceRelay.start(builder.eventSink(events::add).build());
    }

    private RawSocks5Client connect() throws IOException {
        RawSocks5Client client = new RawSocks5Client(relay.tcpPort());
        cleanup.add(client);
        return client;
    }

    /** A zero-filled UDP ASSOCIATE; returns the reply's BND as sent. */
    private InetSocketAddress associate(RawSocks5Client control, byte[] request) throws IOException {
        control.write(greeting(0), request);
        assertArrayEquals(new byte[] {5, 0}, control.read(2));
        return control.readIpv4Reply(0);
    }

    private DatagramSocket udp() throws IOException {
        return udp(0);
    }

    private DatagramSocket udp(int port) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, port));
        socket.setSoTimeout(3000);
        cleanup.add(socket);
        return socket;
    }

    private static DatagramPacket receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        socket.receive(packet);
        return packet;
    }

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

    /** The payload after a 10-byte IPv4 SOCKS UDP header. */
    private static byte[] payload(DatagramPacket packet) {
        byte[] all = bytes(packet);
        return Arrays.copyOfRange(all, 10, all.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void send(DatagramSocket from, byte[] data, InetSocketAddress to) throws IOException {
        from.send(new DatagramPacket(data, data.length, to));
    }

    private static InetSocketAddress local(DatagramSocket socket) {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private static InetSocketAddress onLoopback(InetSocketAddress bnd) {
        return new InetSocketAddress(LOOPBACK, bnd.getPort());
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

    /** A loopback UDP port with nobody listening: the kernel answers port-unreachable. */
    private static InetSocketAddress closedPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            return local(s);
        }
    }

    /**
     * True once the relay's UDP port is gone: a connected socket hears ICMP port-unreachable. Probes a few times,
     * since the kernel may rate-limit ICMP when the machine is busy.
     */
    private static boolean udpPortClosed(InetSocketAddress port) throws IOException {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            probe.connect(port);
            for (int attempt = 0; attempt < 10; attempt++) {
                probe.send(new DatagramPacket(new byte[10], 10));
                try {
                    if (receiveOrNull(probe, 300) != null) {
                        return false; // something answered: the port is open
                    }
                } catch (PortUnreachableException expected) {
                    return true;
                }
            }
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------- icmp-teardown

    @Test
    void icmpTeardownAnswersReply1ClosesTheControlConnectionAndTheRelayPort() throws Exception {
        start(Misbehaviour.ICMP_TEARDOWN);
        RawSocks5Client control = connect();
        InetSocketAddress bnd = associate(control, zeroUdpAssociate());
        RelayEvent.AssociationOpened opened = awaitEvent(RelayEvent.AssociationOpened.class);
        DatagramSocket client = udp();
        DatagramSocket remote = udp();

        // A live remote works both ways, and sees the association's one external port.
        send(client, udpIpv4(0, local(remote), ascii("hello")), bnd);
        DatagramPacket atRemote = receive(remote);
        assertEquals(opened.externalAddress(), atRemote.getSocketAddress());
        send(remote, ascii("back"), opened.externalAddress());
        assertArrayEquals(ascii("back"), payload(receive(client)));

        // A datagram to a closed port: the kernel's ICMP port-unreachable ends everything.
        send(client, udpIpv4(0, closedPort(), ascii("anyone?")), bnd);
        assertArrayEquals(new byte[] {5, 1, 0, 1, 0, 0, 0, 0, 0, 0}, control.read(10),
                "reply 0x01 (general SOCKS server failure) with an all-zero IPv4 BND");
        assertTrue(control.closedByServer(), "then the control connection closes");
        RelayEvent.TornDown torn = awaitEvent(RelayEvent.TornDown.class);
        assertTrue(torn.line().contains("ICMP port unreachable"), torn.line());
        assertEquals(opened.association(), torn.association());
        awaitEvent(RelayEvent.AssociationClosed.class);
        assertTrue(udpPortClosed(bnd), "the UDP relay port is closed too");
        send(remote, ascii("late"), opened.externalAddress());
        assertNull(receiveOrNull(client, 300), "nothing is relayed any more");
    }

    @Test
    void withoutIcmpTeardownAPortUnreachableChangesNothing() throws Exception {
        start();
        RawSocks5Client control = connect();
        InetSocketAddress bnd = associate(control, zeroUdpAssociate());
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, closedPort(), ascii("anyone?")), bnd);
        send(client, udpIpv4(0, local(remote), ascii("still here")), bnd);
        assertArrayEquals(ascii("still here"), bytes(receive(remote)));
        control.socket.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> control.in.read(), "the control connection stays silent");
    }

    // ---------------------------------------------------------------------------------------- reply-to-dst-port

    @Test
    void replyToDstPortWithAZeroFilledRequestSendsRepliesNowhere() throws Exception {
        start(Misbehaviour.REPLY_TO_DST_PORT);
        InetSocketAddress bnd = associate(connect(), zeroUdpAssociate());
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, local(remote), ascii("ping")), bnd);
        DatagramPacket atRemote = receive(remote);
        send(remote, ascii("pong"), (InetSocketAddress) atRemote.getSocketAddress());
        assertNull(receiveOrNull(client, 500), "the reply went to DST.PORT 0, not to the client's port");
        assertEquals(DropReason.UNDELIVERABLE, awaitEvent(RelayEvent.Dropped.class).reason());
    }

    @Test
    void replyToDstPortSendsRepliesToTheRequestedPortNotTheRealSource() throws Exception {
        // ignore-dst too, so that the client may send from another port than it named (CCProxy accepts that).
        start(Misbehaviour.REPLY_TO_DST_PORT, Misbehaviour.IGNORE_DST);
        DatagramSocket named = udp();
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        InetSocketAddress bnd = associate(connect(), request(3, "0.0.0.0", local(named).getPort()));
        send(client, udpIpv4(0, local(remote), ascii("ping")), bnd);
        DatagramPacket atRemote = receive(remote);
        send(remote, ascii("pong"), (InetSocketAddress) atRemote.getSocketAddress());
        assertArrayEquals(ascii("pong"), payload(receive(named)), "the reply went to DST.PORT");
        assertNull(receiveOrNull(client, 300), "not to the port the client really sent from");
    }

    // ---------------------------------------------------------------------------------------- port-zero-is-tcp-port

    @Test
    void portZeroIsTcpPortAcceptsOnlyTheControlConnectionsPortNumber() throws Exception {
        start(Misbehaviour.PORT_ZERO_IS_TCP_PORT);
        RawSocks5Client control = connect();
        InetSocketAddress bnd = associate(control, zeroUdpAssociate());
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, local(remote), ascii("from elsewhere")), bnd);
        assertNull(receiveOrNull(remote, 300), "a zero-filled request does not lock onto the first datagram");
        assertEquals(DropReason.FOREIGN_PORT, awaitEvent(RelayEvent.Dropped.class).reason());

        DatagramSocket samePortAsTcp = udp(control.socket.getLocalPort());
        send(samePortAsTcp, udpIpv4(0, local(remote), ascii("from the TCP port")), bnd);
        DatagramPacket atRemote = receive(remote);
        assertArrayEquals(ascii("from the TCP port"), bytes(atRemote));
        send(remote, ascii("back"), (InetSocketAddress) atRemote.getSocketAddress());
        assertArrayEquals(ascii("back"), payload(receive(samePortAsTcp)));
    }

    @Test
    void portZeroIsTcpPortHonoursANonZeroPort() throws Exception {
        start(Misbehaviour.PORT_ZERO_IS_TCP_PORT);
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        InetSocketAddress bnd = associate(connect(), request(3, "0.0.0.0", local(client).getPort()));
        send(client, udpIpv4(0, local(remote), ascii("named port")), bnd);
        assertArrayEquals(ascii("named port"), bytes(receive(remote)));
    }

    // ---------------------------------------------------------------------------------------- strict-dst / ignore-dst

    @Test
    void strictDstEnforcesANamedPortAndLocksAZeroOne() throws Exception {
        start(Misbehaviour.STRICT_DST);
        DatagramSocket named = udp();
        DatagramSocket other = udp();
        DatagramSocket remote = udp();
        InetSocketAddress bnd = associate(connect(), request(3, "127.0.0.1", local(named).getPort()));
        send(other, udpIpv4(0, local(remote), ascii("not me")), bnd);
        assertNull(receiveOrNull(remote, 300));
        send(named, udpIpv4(0, local(remote), ascii("me")), bnd);
        assertArrayEquals(ascii("me"), bytes(receive(remote)));

        InetSocketAddress zeroBnd = associate(connect(), zeroUdpAssociate());
        send(other, udpIpv4(0, local(remote), ascii("first locks")), zeroBnd);
        assertArrayEquals(ascii("first locks"), bytes(receive(remote)));
        send(named, udpIpv4(0, local(remote), ascii("second port")), zeroBnd);
        assertNull(receiveOrNull(remote, 300));
    }

    @Test
    void strictDstDropsAClientThatNamedAnotherAddress() throws Exception {
        // What a client behind NAT naming its private address gets: REP 0, then silence.
        start(Misbehaviour.STRICT_DST);
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        InetSocketAddress bnd = associate(connect(), request(3, "10.1.0.2", local(client).getPort()));
        send(client, udpIpv4(0, local(remote), ascii("from 127.0.0.1")), bnd);
        assertNull(receiveOrNull(remote, 300));
        assertEquals(DropReason.FOREIGN_HOST, awaitEvent(RelayEvent.Dropped.class).reason());
    }

    @Test
    void ignoreDstAcceptsWhateverTheRequestNamed() throws Exception {
        start(Misbehaviour.IGNORE_DST);
        DatagramSocket client = udp();
        DatagramSocket later = udp();
        DatagramSocket remote = udp();
        InetSocketAddress bnd = associate(connect(), request(3, "10.1.0.2", 4242));
        send(client, udpIpv4(0, local(remote), ascii("any address, any port")), bnd);
        DatagramPacket atRemote = receive(remote);
        assertArrayEquals(ascii("any address, any port"), bytes(atRemote));
        send(remote, ascii("back"), (InetSocketAddress) atRemote.getSocketAddress());
        assertArrayEquals(ascii("back"), payload(receive(client)));
        send(later, udpIpv4(0, local(remote), ascii("but the first port locks")), bnd);
        assertNull(receiveOrNull(remote, 300));
    }

    @Test
    void strictAndIgnoreDstContradict() {
        assertThrows(IllegalArgumentException.class,
                () -> RelayOptions.builder().misbehave(Misbehaviour.STRICT_DST, Misbehaviour.IGNORE_DST).build());
    }

    // ---------------------------------------------------------------------------------------- BND

    @Test
    void bndWildcardAdvertisesAllZerosButRelaysOnTheProxysAddress() throws Exception {
        start(Misbehaviour.BND_WILDCARD);
        InetSocketAddress bnd = associate(connect(), zeroUdpAssociate());
        assertEquals(InetAddress.getByName("0.0.0.0"), bnd.getAddress());
        assertNotEquals(0, bnd.getPort());
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, local(remote), ascii("to the proxy's own address")), onLoopback(bnd));
        assertArrayEquals(ascii("to the proxy's own address"), bytes(receive(remote)));
    }

    @Test
    void bndUnreachableAdvertisesAPrivateAddressButRelaysOnTheProxysAddress() throws Exception {
        start(Misbehaviour.BND_UNREACHABLE);
        InetSocketAddress bnd = associate(connect(), zeroUdpAssociate());
        assertEquals(InetAddress.getByName(RelayOptions.UNREACHABLE_BND), bnd.getAddress());
        RelayEvent.AssociationOpened opened = awaitEvent(RelayEvent.AssociationOpened.class);
        assertEquals(onLoopback(bnd), opened.relayAddress(), "the real relay port is on the proxy's address");
        DatagramSocket client = udp();
        DatagramSocket remote = udp();
        send(client, udpIpv4(0, local(remote), ascii("overridden")), onLoopback(bnd));
        assertArrayEquals(ascii("overridden"), bytes(receive(remote)));
    }

    // ---------------------------------------------------------------------------------------- refuse-udp

    @Test
    void refuseUdpAnswersRep7AndCloses() throws Exception {
        start(Misbehaviour.REFUSE_UDP);
        RawSocks5Client control = connect();
        control.write(greeting(0), zeroUdpAssociate());
        assertArrayEquals(new byte[] {5, 0}, control.read(2));
        assertArrayEquals(new byte[] {5, 7, 0, 1, 0, 0, 0, 0, 0, 0}, control.read(10), "REP 7: command not supported");
        assertTrue(control.closedByServer());
        assertTrue(awaitEvent(RelayEvent.Rejected.class).reason().contains("refuse-udp"));
        assertEquals(0, relay.counters().associationsOpened());
    }

    // ---------------------------------------------------------------------------------------- drops

    @Test
    void dropTcpRandomClosesControlConnectionsAfterARandomLifetime() throws Exception {
        start(RelayOptions.builder().misbehave(Misbehaviour.DROP_TCP_RANDOM).dropAfter(Duration.ofMillis(100))
                .randomSeed(42));
        RawSocks5Client control = connect();
        control.socket.setSoTimeout(10_000);
        InetSocketAddress bnd = associate(control, zeroUdpAssociate());
        long start = System.nanoTime();
        assertTrue(control.closedByServer());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        RelayEvent.ControlDropped dropped = awaitEvent(RelayEvent.ControlDropped.class);
        assertTrue(dropped.line().contains("drop-tcp-random after"), dropped.line());
        awaitEvent(RelayEvent.AssociationClosed.class);
        assertTrue(udpPortClosed(bnd));
        // The listener keeps accepting: a new association can be had.
        assertNotNull(associate(connect(), zeroUdpAssociate()));
    }

    @Test
    void dropAssociationAndDropAllAreDeterministic() throws Exception {
        start();
        RawSocks5Client first = connect();
        InetSocketAddress firstBnd = associate(first, zeroUdpAssociate());
        int firstNumber = awaitEvent(RelayEvent.AssociationOpened.class).association();
        RawSocks5Client second = connect();
        associate(second, zeroUdpAssociate());
        int secondNumber = awaitEvent(RelayEvent.AssociationOpened.class).association();
        assertEquals(List.of(firstNumber, secondNumber), relay.liveAssociations());

        assertTrue(relay.dropAssociation(firstNumber));
        assertTrue(first.closedByServer());
        assertTrue(udpPortClosed(firstBnd));
        assertFalse(relay.dropAssociation(firstNumber), "already gone");
        second.socket.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> second.in.read(), "the other one lives on");

        second.socket.setSoTimeout(5000);
        assertEquals(1, relay.dropAll());
        assertTrue(second.closedByServer());
    }

    // ---------------------------------------------------------------------------------------- CLI

    @Test
    void cliTakesACommaSeparatedList() throws Exception {
        RelayOptions options = ReferenceRelay.parse(new String[] {"--misbehave", "icmp-teardown,bnd-wildcard",
                "--drop-after-ms", "250", "--seed", "7"}, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(EnumSet.of(Misbehaviour.ICMP_TEARDOWN, Misbehaviour.BND_WILDCARD), options.misbehaviours());
        assertEquals(Duration.ofMillis(250), options.dropAfter());
        assertEquals(7, options.randomSeed());
    }

    @Test
    void cliRejectsAnUnknownMisbehaviourNamingTheKnownOnes() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReferenceRelay.run(new String[] {"--misbehave", "wingate"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true));
        assertEquals(2, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("unknown misbehaviour 'wingate'") && text.contains("icmp-teardown"), text);
    }
}
