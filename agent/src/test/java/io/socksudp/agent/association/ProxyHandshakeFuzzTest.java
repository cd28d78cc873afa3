package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.socksudp.agent.config.AssociateMode;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.ConfigLoader;
import io.socksudp.agent.socks.Command;
import io.socksudp.agent.socks.CommandReply;
import io.socksudp.agent.socks.ServerSide;
import io.socksudp.agent.socks.MethodNegotiation;
import io.socksudp.agent.socks.PasswordAuth;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;
import io.socksudp.agent.socks.SocksProtocolException;

import org.junit.jupiter.api.AfterAll;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Authenticator;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The whole SOCKS5 client handshake with Jazzer playing the proxy: its bytes are what the client reads, cut into
 * reads at the points it chooses, each read after a delay it chooses, the stream ending in end-of-stream, silence
 * or a reset (or early, where the input ends); for UDP ASSOCIATE ({@link ProxyClient#open}, with the relay
 * address fix-up: relayHost, a wildcard, a host name, port 0) in each request form and for CONNECT
 * ({@link ProxyHandshake#open}), without credentials, with configured ones, and with the {@link Authenticator} the
 * client asks after "no acceptable methods" (on a second connection). It runs over {@link ControlWire}'s seam: the
 * connections are in memory and the clock moves only when a read or connect waits, so a stall costs nothing and
 * an overrun of the deadline is seen exactly. The oracle, for every input:
 * <ul>
 * <li>a result that is valid for what the proxy sent (the relay as the fix-up rules say; the request's DST), or a
 * {@link ProxyUnavailableException}, the only exception documented, with a one-line message that names the proxy;</li>
 * <li>never later than the one deadline (connect, both connections and every read included);</li>
 * <li>every control connection closed, except the one handed back on success;</li>
 * <li>what the client wrote is exactly greeting, RFC 1929 request (only when a login is used) and the command, and no
 * password appears in its bytes except inside that RFC 1929 request, nor in any exception message;</li>
 * <li>a second connection only after "no acceptable methods" without configured credentials, and only when the
 * Authenticator gave a usable login; which it is asked for the proxy as the JDK asks it.</li>
 * </ul>
 *
 * <p>Like {@code SocksCodecFuzzTest}: CI fuzzes it for a bounded time (agent/pom.xml, execution
 * {@code fuzz}); the normal test phase runs the committed inputs in
 * {@code ProxyHandshakeFuzzTestInputs/handshake} (hand-written seeds for each path, and every finding).
 * {@code ProxyHandshakeSocketTest} runs the socket side of the seam for real.
 *
 * <p>Input layout (a reader past the end gives zeros, and ends the server's streams):
 * <pre>
 * byte 0: bit 0 CONNECT (else UDP ASSOCIATE); bits 1-2 associate form (0 zero, 1 port, 2-3 full); bit 3 configured
 *         credentials; bit 4 relayHost; bits 5-6 the Authenticator's answer (0 null, 1 a login, 2 a password too long
 *         for RFC 1929, 3 an empty user name); bit 7 an IPv6 proxy
 * byte 1: bits 0-1 the socket's local address (0 none, 1 [::], 2 0.0.0.0, 3 a unicast address); bit 2 the clock
 *         starts just before Long.MAX_VALUE (deadlines wrap around)
 * byte 2-3: connectTimeout, 1 + (u16 % 10000) ms;  byte 4-5: the socket's local port
 * then per connection: a connect byte (bits 0-1: 0 at once, 1 refused, 2 never (timeout), 3 after the next byte
 *         times 20 ms), then events up to a terminator:
 *         00xxxxxx: the next x+1 bytes, in one piece; 01xxxxxx: a delay byte (times 20 ms), then x+1 bytes;
 *         10xxxxxx: the next x+1 bytes, one byte per read; 11....tt: the end: 0 end of stream, 1 silence, 2 reset,
 *         3 silence
 *         (a connection's script is always all there, whether the client reads it or not: what it leaves is
 *         skipped when it closes the connection)
 * </pre>
 */
class ProxyHandshakeFuzzTest {

    static final String USER = "fuzz-user";
    static final String PASSWORD = "configured-Pw-3f9a1c";
    static final String AUTH_USER = "auth-user";
    static final String AUTH_PASSWORD = "authenticator-Pw-77e2b0";
    static final String RELAY_HOST = "198.51.100.77";
    private static final String LONG_PASSWORD;

    static {
        char[] c = new char[300];
        Arrays.fill(c, 'L');
        LONG_PASSWORD = "too-long-Pw-" + new String(c);
    }

    /** The Authenticator's answer for the current input, and what it was asked. */
    private static volatile int answer;
    private static volatile int asked;
    private static volatile String askedFor;
    private static boolean installed;

    private static final Map<String, Config> CONFIGS = new LinkedHashMap<String, Config>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Config> eldest) {
            return size() > 512;
        }
    };

    @AfterAll
    static void removeAuthenticator() {
        Authenticator.setDefault(null);
        installed = false;
    }

    @FuzzTest(maxDuration = "20s")
    void handshake(byte[] input) throws Exception {
        Scenario s = new Scenario(input);
        if (!installed) {
            Authenticator.setDefault(new FuzzAuthenticator());
            installed = true;
        }
        answer = s.authenticatorAnswer;
        asked = 0;
        askedFor = null;
        FakeWire wire = new FakeWire(s);
        long timeoutNanos = s.timeoutMillis * 1_000_000L;
        Object result = null;
        ProxyUnavailableException failure = null;
        SocksAddress fixedDst = SocksAddress.of(new InetSocketAddress(InetAddress.getByAddress(
                new byte[] {(byte) 203, 0, 113, 53}), 53));
        try {
            if (s.connect) {
                ProxyHandshake handshake = new ProxyHandshake(s.config.proxies().get(0), wire);
                result = handshake.open(Command.CONNECT, ProxyHandshake.fixed(fixedDst), "CONNECT to " + fixedDst,
                        wire.now + timeoutNanos, s.timeoutMillis, "socksudp.connectTimeout", null);
            } else {
                result = new ProxyClient(s.config.proxySettings(), s.config.proxies().get(0), wire)
                        .open(s.mode, s.local, null);
            }
        } catch (ProxyUnavailableException e) {
            failure = e;
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("undocumented exception " + e, e);
        }

        // One deadline, whatever happened.
        assertTrue(wire.now - wire.start <= timeoutNanos, "took " + (wire.now - wire.start) / 1_000_000L
                + " ms of a " + s.timeoutMillis + " ms deadline");

        // The connections: the second only for the Authenticator's login; all closed but the one handed back.
        List<FakeConnection> conns = wire.connections;
        assertTrue(!conns.isEmpty() && conns.size() <= 2, conns.size() + " connections");
        boolean retried = conns.size() == 2;
        if (retried) {
            assertFalse(s.credentials, "a second connection with configured credentials");
            assertEquals(1, s.authenticatorAnswer, "a second connection without a usable login from the Authenticator");
        }
        if (asked > 0) {
            assertFalse(s.credentials, "the Authenticator asked although credentials are configured");
            assertEquals(1, asked, "the Authenticator asked " + asked + " times");
            assertEquals(s.proxyHost + " " + s.proxyAddress + " 1080 SOCKS5 SOCKS authentication null", askedFor);
        }
        for (int i = 0; i < conns.size(); i++) {
            FakeConnection c = conns.get(i);
            boolean handedBack = result != null && i == conns.size() - 1;
            assertEquals(!handedBack, c.closed, "connection " + i + (handedBack ? " closed although handed back"
                    : " left open"));
            checkWritten(s, c, i == 1 ? AUTH_USER : s.credentials ? USER : null,
                    i == 1 ? AUTH_PASSWORD : s.credentials ? PASSWORD : null, fixedDst);
        }

        if (failure != null) {
            // A password in a message is a leak unless the proxy sent those very bytes itself (a relay name it
            // chose is quoted); the long one is checked by a prefix, since names are quoted up to 64 characters.
            StringBuilder sentByProxy = new StringBuilder();
            for (FakeConnection c : conns) {
                sentByProxy.append(new String(c.delivered.toByteArray(), StandardCharsets.ISO_8859_1)).append('\n');
            }
            List<String> secrets = new ArrayList<String>();
            for (String secret : new String[] {PASSWORD, AUTH_PASSWORD, LONG_PASSWORD.substring(0, 24)}) {
                if (sentByProxy.indexOf(secret) < 0) {
                    secrets.add(secret);
                }
            }
            for (Throwable t = failure; t != null; t = t.getCause()) {
                String m = String.valueOf(t.getMessage());
                for (String secret : secrets) {
                    assertFalse(m.contains(secret), "a password in the message: " + m);
                }
                for (int i = 0; i < m.length(); i++) {
                    assertTrue(m.charAt(i) >= 0x20 && m.charAt(i) != 0x7f, "a control character in: " + m);
                }
            }
            String message = failure.getMessage();
            assertTrue(message.contains("SOCKS5 proxy " + s.config.proxy()), "the proxy not named: " + message);
            return;
        }

        // Success: valid for what the proxy sent on the last connection.
        FakeConnection last = conns.get(conns.size() - 1);
        CommandReply reply = lastReply(last, last.usedLogin);
        assertTrue(reply.isSuccess());
        if (s.connect) {
            ProxyHandshake.Opened opened = (ProxyHandshake.Opened) result;
            assertEquals(fixedDst, opened.requested);
            assertEquals(reply.bound(), opened.reply.bound());
            assertEquals(s.proxyAddress, opened.proxy);
            assertNull(opened.channel);
            assertTrue(opened.control == last);
            return;
        }
        ProxyClient.Granted granted = (ProxyClient.Granted) result;
        assertNull(granted.control);
        assertEquals(ProxyClient.request(s.mode, s.local, last.localAddress()), granted.requested);
        assertEquals(reply.bound().port(), granted.relay.getPort());
        assertTrue(granted.relay.getPort() != 0, "relay port 0 accepted");
        InetAddress expected;
        if (s.relayHost) {
            expected = InetAddress.getByName(RELAY_HOST);
        } else if (reply.bound().isWildcard()) {
            expected = s.proxyAddress;
        } else {
            assertTrue(reply.bound().type() != Socks5.ATYP_DOMAIN, "a relay named by host name accepted");
            expected = reply.bound().toInetSocketAddress().getAddress();
        }
        assertEquals(expected, granted.relay.getAddress());
    }

    /**
     * What the client wrote on one connection is greeting, RFC 1929 request when it has a login, and the command,
     * nothing else; no password appears in it but the login's, once, inside the RFC 1929 request.
     */
    private static void checkWritten(Scenario s, FakeConnection c, String user, String password,
            SocksAddress fixedDst) throws SocksProtocolException {
        byte[] written = c.written.toByteArray();
        int authAt = -1;
        if (written.length > 0) {
            ByteBuffer w = ByteBuffer.wrap(written);
            assertEquals(Socks5.VERSION, w.get());
            assertEquals(1, w.get());
            int method = w.get();
            assertEquals(user != null ? Socks5.USERNAME_PASSWORD : Socks5.NO_AUTH, method);
            if (user != null) {
                authAt = w.position();
                ServerSide.Login auth = ServerSide.decodeLogin(w);
                assertNotNull(auth, "an incomplete RFC 1929 request");
                assertArrayEquals(user.getBytes(StandardCharsets.UTF_8), auth.username());
                assertArrayEquals(password.getBytes(StandardCharsets.UTF_8), auth.password());
            }
            ServerSide.Request request = ServerSide.decodeRequest(w);
            assertNotNull(request, "an incomplete request");
            assertEquals((s.connect ? Command.CONNECT : Command.UDP_ASSOCIATE).code(), request.command());
            assertEquals(s.connect ? fixedDst : ProxyClient.request(s.mode, s.local, c.localAddress()),
                    request.destination());
            assertFalse(w.hasRemaining(), "bytes after the request");
        } else {
            assertFalse(c.connected && c.reads > 0, "read before writing");
        }
        // The secrets are ASCII: as ISO-8859-1 text, one char per byte, String.indexOf finds them.
        String text = new String(written, StandardCharsets.ISO_8859_1);
        for (String secret : new String[] {PASSWORD, AUTH_PASSWORD, LONG_PASSWORD}) {
            int at = text.indexOf(secret);
            if (secret.equals(password) && authAt >= 0) {
                // VER, ULEN, user name, PLEN: the password starts there, and nowhere else.
                assertEquals(authAt + 3 + user.length(), at, "the password outside the RFC 1929 request");
                assertEquals(-1, text.indexOf(secret, at + 1));
            } else {
                assertEquals(-1, at, "a password that is not this connection's login was written");
            }
        }
    }

    /** The reply as the codec reads it from all the proxy sent on the successful connection. */
    private static CommandReply lastReply(FakeConnection c, boolean login) throws SocksProtocolException {
        ByteBuffer in = ByteBuffer.wrap(c.delivered.toByteArray());
        assertNotNull(MethodNegotiation.decodeSelection(in));
        if (login) {
            assertEquals(Boolean.TRUE, PasswordAuth.decodeResponse(in));
        }
        CommandReply reply = CommandReply.decode(in);
        assertNotNull(reply);
        assertFalse(in.hasRemaining(), "bytes after the reply were read, yet the handshake succeeded");
        return reply;
    }

    /** The input, read front to back; past its end, zeros (and {@link #atEnd}). */
    static final class Scenario {
        private final byte[] input;
        private int next;

        final boolean connect;
        final AssociateMode mode;
        final boolean credentials;
        final boolean relayHost;
        final int authenticatorAnswer;
        final boolean ipv6;
        final InetSocketAddress local;
        final boolean wrapClock;
        final int timeoutMillis;
        final String proxyHost;
        final InetAddress proxyAddress;
        final Config config;

        Scenario(byte[] input) throws Exception {
            this.input = input;
            int flags = u8();
            connect = (flags & 1) != 0;
            int form = (flags >> 1) & 3;
            mode = form == 0 ? AssociateMode.ZERO : form == 1 ? AssociateMode.PORT : AssociateMode.FULL;
            credentials = (flags & 8) != 0;
            relayHost = (flags & 16) != 0;
            authenticatorAnswer = (flags >> 5) & 3;
            ipv6 = (flags & 128) != 0;
            int more = u8();
            wrapClock = (more & 4) != 0;
            timeoutMillis = 1 + (u16() % 10000);
            int port = u16();
            switch (more & 3) {
                case 0:
                    local = null;
                    break;
                case 1:
                    local = new InetSocketAddress(InetAddress.getByName("::"), port);
                    break;
                case 2:
                    local = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port);
                    break;
                default:
                    local = new InetSocketAddress(InetAddress.getByName(ipv6 ? "2001:db8::5" : "198.51.100.3"), port);
                    break;
            }
            proxyHost = ipv6 ? "2001:db8::1" : "192.0.2.1";
            proxyAddress = InetAddress.getByName(proxyHost);
            config = config(ipv6 ? "[" + proxyHost + "]:1080" : proxyHost + ":1080", credentials, relayHost,
                    mode, timeoutMillis);
        }

        boolean atEnd() {
            return next >= input.length;
        }

        int u8() {
            return next < input.length ? input[next++] & 0xff : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        byte[] bytes(int n) {
            int from = Math.min(next, input.length);
            next = Math.min(input.length, next + n);
            return Arrays.copyOfRange(input, from, next);
        }
    }

    private static Config config(String proxy, boolean credentials, boolean relayHost, AssociateMode mode,
            int timeoutMillis) throws Exception {
        String key = proxy + credentials + relayHost + mode + timeoutMillis;
        Config c = CONFIGS.get(key);
        if (c == null) {
            Properties p = new Properties();
            p.setProperty("socksudp.proxy", proxy);
            p.setProperty("socksudp.connectTimeout", String.valueOf(timeoutMillis));
            p.setProperty("socksudp.associate", mode.name().toLowerCase(java.util.Locale.ROOT));
            p.setProperty("socksudp.cache", "off");
            if (credentials) {
                p.setProperty("socksudp.username", USER);
                p.setProperty("socksudp.password", PASSWORD);
            }
            if (relayHost) {
                p.setProperty("socksudp.relayHost", RELAY_HOST);
            }
            c = ConfigLoader.load(null, p, null);
            CONFIGS.put(key, c);
        }
        return c;
    }

    /** In-memory control connections over the scenario's scripts, and a clock that moves only when they wait. */
    static final class FakeWire implements ControlWire {
        final Scenario scenario;
        final long start;
        long now;
        final List<FakeConnection> connections = new ArrayList<FakeConnection>();

        FakeWire(Scenario scenario) {
            this.scenario = scenario;
            this.start = scenario.wrapClock ? Long.MAX_VALUE - 3_000_000_000L : 7_000_000_000L;
            this.now = start;
        }

        @Override
        public Connection open() {
            assertTrue(connections.isEmpty() || connections.get(connections.size() - 1).closed,
                    "a new connection while the previous one is open");
            FakeConnection c = new FakeConnection(this);
            connections.add(c);
            return c;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        void sleep(long millis) {
            now += millis * 1_000_000L;
        }
    }

    /** One connection: its connect outcome and the proxy's byte stream, read from the scenario when it is opened. */
    static final class FakeConnection implements ControlWire.Connection {
        private final FakeWire wire;
        private final Scenario s;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final ByteArrayOutputStream delivered = new ByteArrayOutputStream();
        boolean connected;
        boolean closed;
        int reads;
        /** Whether the client offered username/password (and so sent a login), judged from its greeting. */
        boolean usedLogin;
        private byte[] chunk = new byte[0];
        private int chunkAt;
        private int chunkDelayMillis;
        private boolean trickle;
        private int end = -1;
        /** The connect byte's outcome, once read; and the delay for outcome 3. */
        private int how = -1;
        private int delay;

        FakeConnection(FakeWire wire) {
            this.wire = wire;
            this.s = wire.scenario;
        }

        @Override
        public SocketChannel channel() {
            return null;
        }

        @Override
        public void connect(InetSocketAddress proxy, int timeoutMillis) throws IOException {
            assertFalse(connected || closed);
            assertTrue(timeoutMillis > 0);
            assertEquals(new InetSocketAddress(s.proxyAddress, 1080), proxy);
            readConnectOutcome();
            if (how == 1) {
                throw new ConnectException("Connection refused");
            }
            if (how == 2) {
                wire.sleep(timeoutMillis);
                throw new SocketTimeoutException("Connect timed out");
            }
            if (how == 3) {
                if (delay > timeoutMillis) {
                    wire.sleep(timeoutMillis);
                    throw new SocketTimeoutException("Connect timed out");
                }
                wire.sleep(delay);
            }
            connected = true;
        }

        @Override
        public InetAddress localAddress() {
            assertTrue(connected);
            try {
                return InetAddress.getByName(s.ipv6 ? "2001:db8::9" : "192.0.2.9");
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            assertTrue(connected && !closed, "a write on a connection not open");
            written.write(bytes, offset, length);
            usedLogin = written.size() > 2 && written.toByteArray()[2] == Socks5.USERNAME_PASSWORD;
        }

        @Override
        public int read(byte[] into, int offset, int length, int timeoutMillis) throws IOException {
            assertTrue(connected && !closed, "a read on a connection not open");
            assertTrue(length > 0 && timeoutMillis > 0, "read of " + length + " within " + timeoutMillis + " ms");
            assertTrue(++reads < 10_000, "10,000 reads on one connection: a loop that does not end");
            while (chunkAt == chunk.length && end < 0) {
                nextEvent();
            }
            if (chunkAt == chunk.length) {
                switch (end) {
                    case 0:
                        return -1;
                    case 2:
                        throw new SocketException("Connection reset");
                    default: // silence: the read waits its whole timeout
                        wire.sleep(timeoutMillis);
                        throw new SocketTimeoutException("Read timed out");
                }
            }
            if (chunkDelayMillis > timeoutMillis) {
                wire.sleep(timeoutMillis);
                chunkDelayMillis -= timeoutMillis;
                throw new SocketTimeoutException("Read timed out");
            }
            wire.sleep(chunkDelayMillis);
            chunkDelayMillis = 0;
            int n = Math.min(trickle ? 1 : chunk.length - chunkAt, length);
            System.arraycopy(chunk, chunkAt, into, offset, n);
            delivered.write(chunk, chunkAt, n);
            chunkAt += n;
            return n;
        }

        private void nextEvent() {
            if (s.atEnd()) {
                end = 0;
                return;
            }
            int e = s.u8();
            int kind = e >> 6;
            if (kind == 3) {
                end = e & 3;
                return;
            }
            chunkDelayMillis = kind == 1 ? s.u8() * 20 : 0;
            trickle = kind == 2;
            chunk = s.bytes((e & 0x3f) + 1);
            chunkAt = 0;
        }

        /**
         * Skips what is left of this connection's script (the client may stop reading anywhere), so that the next
         * connection's starts where the input says, whatever the client did with this one.
         */
        @Override
        public void close() {
            if (!closed) {
                readConnectOutcome();
                while (end < 0) {
                    nextEvent();
                }
            }
            closed = true;
        }

        private void readConnectOutcome() {
            if (how < 0) {
                how = s.u8() & 3;
                delay = how == 3 ? s.u8() * 20 : 0;
            }
        }
    }

    /** Answers as the scenario says, and records how it was asked. */
    private static final class FuzzAuthenticator extends Authenticator {
        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
            asked++;
            askedFor = getRequestingHost() + " " + getRequestingSite() + " " + getRequestingPort() + " "
                    + getRequestingProtocol() + " " + getRequestingPrompt() + " " + getRequestingScheme();
            switch (answer) {
                case 1:
                    return new PasswordAuthentication(AUTH_USER, AUTH_PASSWORD.toCharArray());
                case 2:
                    return new PasswordAuthentication(AUTH_USER, LONG_PASSWORD.toCharArray());
                case 3:
                    return new PasswordAuthentication("", AUTH_PASSWORD.toCharArray());
                default:
                    return null;
            }
        }
    }
}
