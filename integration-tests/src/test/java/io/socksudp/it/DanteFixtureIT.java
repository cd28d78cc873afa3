package io.socksudp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.socksudp.it.support.Dante;

/**
 * Self-test of the {@link Dante} fixture with a minimal hand-written SOCKS5 UDP client (no agent involved):
 * danted starts, relays a datagram both ways, its io children can be killed alone, and close() leaves nothing.
 */
@Timeout(60)
class DanteFixtureIT {

    @Test
    void relaysUdpAndCleansUp() throws Exception {
        Dante dante = Dante.start();
        List<String> processesWhileRunning;
        try (Socket control = new Socket();
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {

            client.setSoTimeout(5000);
            peer.setSoTimeout(5000);
            control.setSoTimeout(5000);
            control.connect(new InetSocketAddress("127.0.0.1", dante.port()), 5000);
            InetSocketAddress relay = udpAssociate(control);
            assertNotEquals(0, relay.getPort(), dante.describe());

            byte[] payload = "hello through dante".getBytes(StandardCharsets.US_ASCII);
            byte[] header = {0, 0, 0, 1, 127, 0, 0, 1, (byte) (peer.getLocalPort() >> 8), (byte) peer.getLocalPort()};
            byte[] out = ByteBuffer.allocate(header.length + payload.length).put(header).put(payload).array();
            client.send(new DatagramPacket(out, out.length, relay));

            DatagramPacket atPeer = new DatagramPacket(new byte[1500], 1500);
            peer.receive(atPeer);
            assertArrayEquals(payload, Arrays.copyOf(atPeer.getData(), atPeer.getLength()));
            int danteExternalPort = atPeer.getPort();
            assertNotEquals(client.getLocalPort(), danteExternalPort, "the peer sees danted, not the client");

            peer.send(new DatagramPacket(new byte[] {42}, 1, atPeer.getSocketAddress()));
            DatagramPacket back = new DatagramPacket(new byte[1500], 1500);
            client.receive(back);
            assertEquals(relay, back.getSocketAddress(), "the reply comes from the relay port");
            assertEquals(11, back.getLength(), "10-byte IPv4 header + 1 byte");
            assertEquals(peer.getLocalPort(), ((back.getData()[8] & 0xff) << 8) | (back.getData()[9] & 0xff));

            assertTrue(dante.awaitLog("udp/udpassociate", Duration.ofSeconds(5)), dante.describe());
            assertTrue(dante.awaitLog("127.0.0.1." + danteExternalPort, Duration.ofSeconds(5)),
                    "danted logs its external UDP port" + dante.describe());

            processesWhileRunning = dante.liveProcesses();
            assertTrue(processesWhileRunning.stream().anyMatch(p -> p.contains("io-child")),
                    "danted forks io children" + dante.describe());
            // Fault injection: killing the io children ends the association (the control connection closes).
            List<Long> killed = dante.killIoChildren();
            assertFalse(killed.isEmpty(), dante.describe());
            assertTrue(controlClosed(control.getInputStream()), "control connection closed" + dante.describe());
            // The mother stays and serves new associations.
            try (Socket again = new Socket()) {
                again.setSoTimeout(5000);
                again.connect(new InetSocketAddress("127.0.0.1", dante.port()), 5000);
                assertNotEquals(0, udpAssociate(again).getPort(), dante.describe());
            }
        } finally {
            dante.close();
        }
        assertTrue(dante.liveProcesses().isEmpty(), "no danted process of the fixture survives close()");
    }

    @Test
    void usernameAuthenticationChecksTheSystemAccount() throws Exception {
        Dante.assumeTestUserExists();
        try (Dante dante = Dante.start(Dante.Auth.USERNAME)) {
            assertEquals(0, rfc1929(dante, Dante.TEST_USER, Dante.TEST_PASSWORD), dante.describe());
            assertNotEquals(0, rfc1929(dante, Dante.TEST_USER, "wrong"), dante.describe());
        }
    }

    /** Greeting offering only username/password, then the RFC 1929 sub-negotiation; returns its STATUS. */
    private static int rfc1929(Dante dante, String user, String password) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(5000);
            s.connect(new InetSocketAddress("127.0.0.1", dante.port()), 5000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(new byte[] {5, 1, 2});
            byte[] u = user.getBytes(StandardCharsets.UTF_8);
            byte[] p = password.getBytes(StandardCharsets.UTF_8);
            out.write(1);
            out.write(u.length);
            out.write(u);
            out.write(p.length);
            out.write(p);
            out.flush();
            byte[] method = new byte[2];
            in.readFully(method);
            assertArrayEquals(new byte[] {5, 2}, method, "danted selects username/password");
            byte[] status = new byte[2];
            in.readFully(status);
            return status[1];
        }
    }

    /** No-auth greeting + UDP ASSOCIATE 0.0.0.0:0; returns BND.ADDR:BND.PORT (wildcard = the proxy's address). */
    private static InetSocketAddress udpAssociate(Socket control) throws IOException {
        OutputStream out = control.getOutputStream();
        DataInputStream in = new DataInputStream(control.getInputStream());
        out.write(new byte[] {5, 1, 0});
        out.write(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0});
        out.flush();
        byte[] method = new byte[2];
        in.readFully(method);
        assertArrayEquals(new byte[] {5, 0}, method);
        byte[] reply = new byte[10];
        in.readFully(reply);
        assertEquals(0, reply[1], "REP succeeded");
        assertEquals(1, reply[3], "IPv4 BND.ADDR");
        int port = ((reply[8] & 0xff) << 8) | (reply[9] & 0xff);
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static boolean controlClosed(InputStream in) throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
