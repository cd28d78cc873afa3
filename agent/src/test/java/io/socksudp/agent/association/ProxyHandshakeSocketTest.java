package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.config.AssociateMode;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.ConfigLoader;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The handshake over real loopback sockets ({@link ControlWire#SOCKETS}), which ProxyHandshakeFuzzTest bypasses
 * with its in-memory connections: a scripted proxy on a {@link ServerSocket} answers in pieces with pauses, asks
 * for a password (the {@link Authenticator}'s login on a second connection), or stays silent; the client's bytes,
 * the result, the deadline and the closing of the control connection are checked as the fuzz test checks them.
 */
@Timeout(20)
class ProxyHandshakeSocketTest {

    private final List<AutoCloseable> toClose = new ArrayList<AutoCloseable>();

    @AfterEach
    void cleanUp() throws Exception {
        Authenticator.setDefault(null);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void associate_with_a_password_and_replies_in_pieces() throws Exception {
        ServerSocket server = server();
        CompletableFuture<byte[]> seen = serve(server, 1, (in, out, i) -> {
            byte[] got = readExactly(in, 3 + 3 + 9 + 20 + 10);
            piece(out, 0x05);
            piece(out, 0x02, 0x01);
            piece(out, 0x00, 0x05, 0x00, 0x00, 0x01);
            piece(out, 0, 0, 0, 0, 0x9c, 0x41); // BND 0.0.0.0:40001: the proxy's own address
            return got;
        });
        Config config = config(server, "socksudp.username", "fuzz-user", "socksudp.password", "configured-Pw-3f9a1c",
                "socksudp.associate", "port");
        ProxyClient.Granted granted = new ProxyClient(config.proxySettings()).open(AssociateMode.PORT,
                new InetSocketAddress(InetAddress.getByName("::"), 4000), null);
        toClose.add(granted.control);
        assertTrue(granted.control.isOpen() && granted.control.isBlocking());
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40001), granted.relay);
        assertEquals("0.0.0.0:4000", granted.requested.toString());
        assertArrayEquals(concat(bytes(5, 1, 2), bytes(1, 9), ascii("fuzz-user"), bytes(20),
                ascii("configured-Pw-3f9a1c"), bytes(5, 3, 0, 1, 0, 0, 0, 0, 0x0f, 0xa0)), seen.get(5, TimeUnit.SECONDS));
    }

    @Test
    void no_acceptable_methods_then_the_authenticators_login_on_a_second_connection() throws Exception {
        ServerSocket server = server();
        CompletableFuture<byte[]> seen = serve(server, 2, (in, out, i) -> {
            if (i == 0) {
                byte[] greeting = readExactly(in, 3 + 10);
                piece(out, 0x05, 0xff);
                return greeting;
            }
            byte[] got = readExactly(in, 3 + 37 + 10);
            piece(out, 0x05, 0x02, 0x01, 0x00);
            piece(out, 0x05, 0x00, 0x00, 0x01, 127, 0, 0, 9, 0x9c, 0x42);
            return got;
        });
        List<String> asked = new ArrayList<String>();
        Authenticator.setDefault(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                asked.add(getRequestingHost() + " " + getRequestingPort() + " " + getRequestingProtocol());
                return new PasswordAuthentication("auth-user-x", "authenticator-Pw-77e2b0".toCharArray());
            }
        });
        ProxyClient.Granted granted = new ProxyClient(config(server).proxySettings())
                .open(AssociateMode.ZERO, null, null);
        toClose.add(granted.control);
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.9"), 40002), granted.relay);
        assertEquals(List.of("127.0.0.1 " + server.getLocalPort() + " SOCKS5"), asked);
        assertArrayEquals(concat(bytes(5, 1, 2), bytes(1, 11), ascii("auth-user-x"), bytes(23),
                ascii("authenticator-Pw-77e2b0"), bytes(5, 3, 0, 1, 0, 0, 0, 0, 0, 0)), seen.get(5, TimeUnit.SECONDS));
    }

    @Test
    void a_silent_proxy_fails_within_the_deadline_and_the_connection_is_closed() throws Exception {
        ServerSocket server = server();
        CompletableFuture<byte[]> seen = serve(server, 1, (in, out, i) -> {
            readExactly(in, 3 + 10);
            piece(out, 0x05);
            // Then nothing: the client must give up by its deadline and close; we see the end of the stream.
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            for (int b; (b = in.read()) >= 0; ) {
                rest.write(b);
            }
            return rest.toByteArray();
        });
        long start = System.nanoTime();
        ProxyUnavailableException e = assertThrows(ProxyUnavailableException.class,
                () -> new ProxyClient(config(server, "socksudp.connectTimeout", "400").proxySettings())
                        .open(AssociateMode.ZERO, null, null));
        long tookMs = (System.nanoTime() - start) / 1_000_000L;
        assertEquals("SOCKS5 proxy 127.0.0.1:" + server.getLocalPort() + " did not complete the handshake within 400"
                + " ms (socksudp.connectTimeout)", e.getMessage());
        assertTrue(tookMs >= 350 && tookMs < 3000, "took " + tookMs + " ms");
        assertEquals(0, seen.get(5, TimeUnit.SECONDS).length, "the client closed without another byte");
    }

    @Test
    void connect_through_the_proxy_hands_back_the_channel_with_its_read_timeout() throws Exception {
        ServerSocket server = server();
        serve(server, 1, (in, out, i) -> {
            readExactly(in, 3 + 10);
            piece(out, 0x05, 0x00, 0x05, 0x00, 0x00);
            piece(out, 0x01, 127, 0, 0, 1, 0x9c, 0x43);
            // The tunnelled stream, once the handshake is over: an echo of what the client sends next.
            out.write(readExactly(in, 5));
            out.flush();
            return null;
        });
        SocketChannel channel = new ProxyConnector(config(server).proxySettings()).connect(
                new InetSocketAddress(InetAddress.getByName("192.0.2.53"), 53), 1500);
        toClose.add(channel);
        assertEquals(1500, channel.socket().getSoTimeout());
        channel.write(ByteBuffer.wrap(ascii("after")));
        ByteBuffer b = ByteBuffer.allocate(5);
        while (b.hasRemaining() && channel.read(b) >= 0) {
            // the bytes after the reply belong to the caller
        }
        assertEquals("after", new String(b.array(), StandardCharsets.US_ASCII));
    }

    @Test
    void a_refused_connection_names_the_proxy() throws Exception {
        ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Config config = config(closed);
        closed.close();
        ProxyUnavailableException e = assertThrows(ProxyUnavailableException.class,
                () -> new ProxyClient(config.proxySettings()).open(AssociateMode.ZERO, null, null));
        assertTrue(e.getMessage().startsWith("cannot reach SOCKS5 proxy 127.0.0.1:" + closed.getLocalPort() + ": "),
                e.getMessage());
        assertFalse(e.getMessage().contains("Pw"));
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private interface Script {
        byte[] play(InputStream in, OutputStream out, int connection) throws Exception;
    }

    private ServerSocket server() throws IOException {
        ServerSocket s = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        toClose.add(s);
        return s;
    }

    /** Accepts {@code connections} connections one after another; the last one's script result completes it. */
    private static CompletableFuture<byte[]> serve(ServerSocket server, int connections, Script script) {
        CompletableFuture<byte[]> result = new CompletableFuture<byte[]>();
        Thread t = new Thread(() -> {
            try {
                byte[] last = null;
                for (int i = 0; i < connections; i++) {
                    try (Socket s = server.accept()) {
                        s.setSoTimeout(5000);
                        byte[] got = script.play(s.getInputStream(), s.getOutputStream(), i);
                        last = got;
                        if (i < connections - 1) {
                            s.getInputStream().read(); // the client closes this one before the next
                        }
                    }
                }
                result.complete(last);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "scripted-proxy");
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** A piece of the reply, flushed, then a pause, so that the client reads it apart from the next. */
    private static void piece(OutputStream out, int... bytes) throws Exception {
        out.write(bytes(bytes));
        out.flush();
        Thread.sleep(30);
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        for (int at = 0; at < n; ) {
            int r = in.read(b, at, n - at);
            if (r < 0) {
                throw new IOException("the client closed after " + at + " of " + n + " bytes");
            }
            at += r;
        }
        return b;
    }

    private static Config config(ServerSocket server, String... more) throws Exception {
        Properties p = new Properties();
        p.setProperty("socksudp.proxy", "127.0.0.1:" + server.getLocalPort());
        p.setProperty("socksudp.cache", "off");
        for (int i = 0; i < more.length; i += 2) {
            p.setProperty(more[i], more[i + 1]);
        }
        return ConfigLoader.load(null, p, null);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }
}
