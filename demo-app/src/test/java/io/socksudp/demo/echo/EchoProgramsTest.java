package io.socksudp.demo.echo;

import io.socksudp.demo.ChildJvm;
import io.socksudp.demo.relay.ReferenceRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class EchoProgramsTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** Runs the client in-process; returns exit code and output. */
    private static Result client(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EchoClient.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Result(int code, String out, String err) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"socket/socket", "socket/channel", "channel/socket", "channel/channel"})
    void clientAndServerEchoOverEitherApi(String apis) throws Exception {
        boolean serverChannel = apis.startsWith("channel");
        boolean clientChannel = apis.endsWith("channel");
        List<String> seen = new CopyOnWriteArrayList<>();
        try (EchoServer server = EchoServer.start(LOOPBACK_ANY_PORT, serverChannel,
                (length, source) -> seen.add(EchoServer.describe(length, source)))) {
            String target = "127.0.0.1:" + server.port();
            Result result = clientChannel
                    ? client("--server", target, "--count", "4", "--size", "1200", "--channel")
                    : client("--server", target, "--count", "4", "--size", "1200");
            assertEquals(0, result.code(), result.out());
            assertTrue(result.out().contains("echo-client: sent 1200 bytes to " + target + "\n"), result.out());
            assertTrue(result.out().contains("echo-client: reply 1200 bytes from " + target + "\n"), result.out());
            assertTrue(result.out().endsWith("echo-client: OK 4/4 replies from " + target + "\n"), result.out());
            assertTrue(result.out().startsWith("echo-client: local "), result.out());
            assertEquals(4, seen.size());
            assertTrue(seen.get(0).startsWith("1200 bytes from 127.0.0.1:"), seen.get(0));
        }
    }

    @Test
    void defaultPayloadIsPingText() {
        assertEquals("ping 7", new String(EchoClient.payload(7, -1), StandardCharsets.US_ASCII));
        assertEquals("pin", new String(EchoClient.payload(7, 3), StandardCharsets.US_ASCII));
        assertEquals("ping 7 hijk", new String(EchoClient.payload(7, 11), StandardCharsets.US_ASCII));
        assertEquals(0, EchoClient.payload(1, 0).length);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void clientFailsWhenNoReplyComes(boolean channel) throws Exception {
        try (DatagramSocket silent = new DatagramSocket(LOOPBACK_ANY_PORT)) {
            String target = "127.0.0.1:" + silent.getLocalPort();
            Result result = channel
                    ? client("--server", target, "--timeout", "300", "--channel")
                    : client("--server", target, "--timeout", "300");
            assertEquals(1, result.code());
            assertTrue(result.out().contains("echo-client: FAILED no reply to datagram 1 within 300 ms (0/3 replies)"),
                    result.out());
        }
    }

    /** The agent's contract in one check: a reply from anywhere but the server is a failure. */
    @Test
    void clientFailsWhenReplyComesFromElsewhere() throws Exception {
        try (DatagramSocket server = new DatagramSocket(LOOPBACK_ANY_PORT);
             DatagramSocket impostor = new DatagramSocket(LOOPBACK_ANY_PORT)) {
            Thread answer = new Thread(() -> {
                try {
                    DatagramPacket packet = new DatagramPacket(new byte[100], 100);
                    server.receive(packet);
                    impostor.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
                } catch (IOException ignored) {
                    // the test fails on its own
                }
            });
            answer.start();
            Result result = client("--server", "127.0.0.1:" + server.getLocalPort(), "--timeout", "3000");
            answer.join();
            assertEquals(1, result.code());
            assertTrue(result.out().contains("echo-client: FAILED reply 1 came from 127.0.0.1:" + impostor.getLocalPort()
                    + ", expected 127.0.0.1:" + server.getLocalPort()), result.out());
        }
    }

    @Test
    void clientFailsWhenPayloadDiffers() throws Exception {
        try (DatagramSocket server = new DatagramSocket(LOOPBACK_ANY_PORT)) {
            Thread answer = new Thread(() -> {
                try {
                    DatagramPacket packet = new DatagramPacket(new byte[100], 100);
                    server.receive(packet);
                    server.send(new DatagramPacket(new byte[] {'p', 'o', 'n', 'g'}, 4, packet.getSocketAddress()));
                } catch (IOException ignored) {
                    // the test fails on its own
                }
            });
            answer.start();
            Result result = client("--server", "127.0.0.1:" + server.getLocalPort());
            answer.join();
            assertEquals(1, result.code());
            assertTrue(result.out().contains("echo-client: FAILED reply 1 differs from what was sent (sent 6 bytes, got 4)"),
                    result.out());
        }
    }

    @Test
    void badUsageExitsWith2AndOneLine() {
        for (String[] args : List.of(new String[0], new String[] {"--server", "nohostport"},
                new String[] {"--server", "127.0.0.1:9", "--count", "x"}, new String[] {"--what"})) {
            Result result = client(args);
            assertEquals(2, result.code(), String.join(" ", args));
            assertEquals(1, result.err().lines().count(), result.err());
            assertTrue(result.err().contains(EchoClient.USAGE));
        }
    }

    @Test
    void serverAndClientAsChildProcesses() throws Exception {
        try (ChildJvm server = new ChildJvm(EchoServer.class, "--channel")) {
            int port = server.awaitReady();
            try (ChildJvm client = new ChildJvm(EchoClient.class, "--server", "127.0.0.1:" + port, "--count", "2")) {
                assertEquals("echo-client: OK 2/2 replies from 127.0.0.1:" + port,
                        client.awaitLine("echo-client: OK"));
                assertEquals(0, client.waitFor());
            }
            assertTrue(server.awaitLine("echo-server: ").matches("echo-server: 6 bytes from 127\\.0\\.0\\.1:\\d+"));
        }
    }

    @Test
    void relayAsChildProcessPrintsReady() throws Exception {
        try (ChildJvm relay = new ChildJvm(ReferenceRelay.class, "--user", "u", "--password", "p")) {
            int port = relay.awaitReady();
            try (java.net.Socket control = new java.net.Socket("127.0.0.1", port)) {
                control.getOutputStream().write(new byte[] {5, 1, 0});
                control.setSoTimeout(5000);
                assertEquals(5, control.getInputStream().read());
                assertEquals(0xFF, control.getInputStream().read(), "no-auth refused when credentials are set");
            }
            assertTrue(relay.awaitLine("relay: rejected 127.0.0.1:").endsWith("no acceptable authentication method"));
        }
    }
}
