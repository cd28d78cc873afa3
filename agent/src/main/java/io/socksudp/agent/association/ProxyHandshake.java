package io.socksudp.agent.association;

import io.socksudp.agent.config.ProxyEndpoint;
import io.socksudp.agent.socks.Command;
import io.socksudp.agent.socks.CommandReply;
import io.socksudp.agent.socks.CommandRequest;
import io.socksudp.agent.socks.MethodNegotiation;
import io.socksudp.agent.socks.PasswordAuth;
import io.socksudp.agent.socks.ReplyCode;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;
import io.socksudp.agent.socks.SocksProtocolException;

import java.io.EOFException;
import java.io.IOException;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * One SOCKS5 control connection: the TCP connect to the proxy, the method negotiation, RFC 1929 and one command
 * (UDP ASSOCIATE for {@link ProxyClient}, CONNECT for {@link ProxyConnector}), all within ONE deadline, so that
 * neither a slow connect nor a proxy trickling its replies can stretch it. The greeting, the authentication and the
 * request go out in one write: a single round trip instead of three. That is only sound when we offer exactly one
 * method, so with credentials we offer only username/password (a user who configured credentials wants them used,
 * and a server that then answers "no acceptable methods" gets a clear error), without them only "no
 * authentication". The bytes are the pure codec's ({@code socks/}); the I/O and the error wording are here.
 */
final class ProxyHandshake {
    private static final Charset UTF_8 = Charset.forName("UTF-8");

    /**
     * What the handshake produced: the open control connection, the proxy's address it reached, the request's DST
     * and the successful reply.
     */
    static final class Opened {
        final ControlWire.Connection control;
        /** {@code control.channel()}: null only for the fuzz test's in-memory connections. */
        final SocketChannel channel;
        final InetAddress proxy;
        final SocksAddress requested;
        final CommandReply reply;

        Opened(ControlWire.Connection control, InetAddress proxy, SocksAddress requested, CommandReply reply) {
            this.control = control;
            this.channel = control.channel();
            this.proxy = proxy;
            this.requested = requested;
            this.reply = reply;
        }
    }

    /**
     * The command's DST.ADDR and DST.PORT, chosen once the control connection is up: {@code associate=full} names
     * the address the proxy sees this host at, which is the connection's local address.
     */
    interface Destination {
        SocksAddress given(InetAddress controlLocal);
    }

    /** A DST that does not depend on the connection. */
    static Destination fixed(final SocksAddress dst) {
        return new Destination() {
            @Override
            public SocksAddress given(InetAddress controlLocal) {
                return dst;
            }
        };
    }

    private final ProxyEndpoint proxy;
    private final ControlWire wire;
    /** Learned from a proxy that answered "no acceptable methods" to "no authentication": ask the Authenticator. */
    private volatile boolean proxyWantsPassword;

    ProxyHandshake(ProxyEndpoint proxy) {
        this(proxy, ControlWire.SOCKETS);
    }

    /** With other connections and another clock than the sockets' and System.nanoTime(): the fuzz test's. */
    ProxyHandshake(ProxyEndpoint proxy, ControlWire wire) {
        this.proxy = proxy;
        this.wire = wire;
    }

    /** The clock deadlines are given on: {@link System#nanoTime()} in the agent. */
    long nanoTime() {
        return wire.nanoTime();
    }

    String proxyName() {
        return proxy.toString();
    }

    /**
     * Resolves the proxy (the system resolver's look-up, within the deadline: {@link DeadlineResolver}), opens a control connection and
     * runs the whole handshake for {@code command} to {@code dst} (given the connection's local address) before
     * {@code deadline} ({@link #nanoTime()}). {@code cancel} (may be null) learns the channel as soon as it exists.
     * {@code timeoutSetting} names the setting behind the deadline, for the timeout's message. On failure the
     * channel is closed and a {@link ProxyUnavailableException} names the proxy and the cause.
     */
    Opened open(Command command, Destination dst, String commandName, long deadline, int timeoutMillis,
            String timeoutSetting, ProxyClient.Cancellation cancel) throws ProxyUnavailableException {
        String proxy = proxyName();
        InetSocketAddress proxyAddress;
        try {
            // Resolved at each connection, so a proxy whose address changes is followed; within the deadline.
            proxyAddress = this.proxy.address().at(DeadlineResolver.byName(this.proxy.address().host(),
                    deadline - wire.nanoTime(), timeoutSetting));
        } catch (IOException e) {
            throw new ProxyUnavailableException("cannot resolve SOCKS5 proxy " + proxy + ": " + e.getMessage(), e);
        }
        Login login = Login.configured(this.proxy);
        if (login == null && proxyWantsPassword) {
            login = Login.fromAuthenticator(this.proxy.address().host(), proxyAddress);
        }
        try {
            return attempt(proxyAddress, login, command, dst, commandName, deadline, timeoutMillis, timeoutSetting,
                    cancel);
        } catch (PasswordWanted e) {
            // Offered "no authentication" only, and the proxy wants more: as the JDK's own SOCKS client does,
            // ask the default java.net.Authenticator (installed by the application, perhaps after premain), then
            // try again on a new connection within the same deadline. Later set-ups ask it first.
            proxyWantsPassword = true;
            login = Login.fromAuthenticator(this.proxy.address().host(), proxyAddress);
            if (login == null) {
                throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " accepts none of the offered "
                        + "authentication methods (offered: no authentication, and no java.net.Authenticator gave a"
                        + " user name and password for it; configure socksudp.username and socksudp.passwordFile)");
            }
            try {
                return attempt(proxyAddress, login, command, dst, commandName, deadline, timeoutMillis,
                        timeoutSetting, cancel);
            } catch (PasswordWanted impossible) {
                throw new IllegalStateException("offered username/password, yet told it needs a password");
            }
        } finally {
            if (login != null) {
                login.clear();
            }
        }
    }

    private Opened attempt(InetSocketAddress proxyAddress, Login login, Command command, Destination destination,
            String commandName, long deadline, int timeoutMillis, String timeoutSetting,
            ProxyClient.Cancellation cancel) throws ProxyUnavailableException, PasswordWanted {
        String proxy = proxyName();
        ControlWire.Connection control = null;
        boolean ok = false;
        try {
            control = wire.open();
            if (cancel != null && !cancel.started(control.channel())) {
                throw new ProxyUnavailableException("the association with SOCKS5 proxy " + proxy + " was cancelled");
            }
            control.connect(proxyAddress, millisLeft(deadline));
            SocksAddress dst = destination.given(control.localAddress());
            CommandReply reply = negotiate(control, login, command, dst, commandName, deadline);
            ok = true;
            return new Opened(control, proxyAddress.getAddress(), dst, reply);
        } catch (SocketTimeoutException e) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " did not complete the handshake within "
                    + timeoutMillis + " ms (" + timeoutSetting + ")", e);
        } catch (SocksProtocolException e) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " answered with a malformed reply: "
                    + e.getMessage(), e);
        } catch (ProxyUnavailableException | PasswordWanted e) {
            throw e;
        } catch (IOException e) {
            if (cancel != null && cancel.cancelled()) {
                throw new ProxyUnavailableException("the association with SOCKS5 proxy " + proxy + " was cancelled", e);
            }
            throw new ProxyUnavailableException("cannot reach SOCKS5 proxy " + proxy + ": " + e.getMessage(), e);
        } finally {
            if (!ok && control != null) {
                control.close();
            }
        }
    }

    private CommandReply negotiate(ControlWire.Connection control, Login login, Command command, SocksAddress dst,
            String commandName, long deadline) throws IOException {
        boolean user = login != null;
        ByteBuffer out = ByteBuffer.allocate(3 + 3 + 255 + 255 + 6 + 262);
        if (user) {
            MethodNegotiation.encodeGreeting(out, Socks5.USERNAME_PASSWORD);
            PasswordAuth.encodeRequest(out, login.user, login.password);
        } else {
            MethodNegotiation.encodeGreeting(out, Socks5.NO_AUTH);
        }
        CommandRequest.encode(out, command, dst);
        try {
            control.write(out.array(), 0, out.position());
        } finally {
            Arrays.fill(out.array(), (byte) 0);
        }

        ByteBuffer in = ByteBuffer.allocate(512);
        in.flip();
        Integer method;
        while ((method = MethodNegotiation.decodeSelection(in)) == null) {
            in = readMore(control, in, deadline, "the method selection");
        }
        if (method == Socks5.NO_ACCEPTABLE_METHODS) {
            if (!user) {
                throw new PasswordWanted();
            }
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " accepts none of the offered "
                    + "authentication methods (offered: username/password" + login.origin + ")");
        }
        if (method != (user ? Socks5.USERNAME_PASSWORD : Socks5.NO_AUTH)) {
            throw new SocksProtocolException("proxy selected method " + method + ", which was not offered");
        }
        if (user) {
            Boolean accepted;
            while ((accepted = PasswordAuth.decodeResponse(in)) == null) {
                in = readMore(control, in, deadline, "the authentication reply");
            }
            if (!accepted) {
                throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " rejected the username and "
                        + "password of user '" + login.name + "'" + login.origin + " (RFC 1929 authentication failed)");
            }
        }
        CommandReply reply;
        while ((reply = CommandReply.decode(in)) == null) {
            in = readMore(control, in, deadline, "the " + commandName + " reply");
        }
        if (!reply.isSuccess()) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " refused " + commandName + ": "
                    + ReplyCode.describe(reply.rep()));
        }
        if (in.hasRemaining()) {
            throw new SocksProtocolException("the proxy sent " + in.remaining() + " byte(s) after its " + commandName
                    + " reply");
        }
        return reply;
    }

    /** The time left before the deadline, at least 1 ms; a deadline already past is a timeout. */
    private int millisLeft(long deadline) throws SocketTimeoutException {
        long left = deadline - wire.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("the deadline passed");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000L));
    }

    /** Reads what is there, waiting no longer than the deadline: a proxy trickling its reply cannot extend it. */
    private ByteBuffer readMore(ControlWire.Connection control, ByteBuffer in, long deadline, String what)
            throws IOException {
        in.compact();
        if (!in.hasRemaining()) {
            throw new SocksProtocolException(what + " is longer than any valid SOCKS5 message");
        }
        long left = deadline - wire.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException(what + " did not arrive before the deadline");
        }
        int n = control.read(in.array(), in.arrayOffset() + in.position(), in.remaining(),
                (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000L)));
        if (n < 0) {
            throw new EOFException("the proxy closed the connection before sending " + what);
        }
        in.position(in.position() + n);
        in.flip();
        return in;
    }

    /** The proxy refused "no authentication", the only method offered: it wants a user name and password. */
    private static final class PasswordWanted extends IOException {
        private static final long serialVersionUID = 1L;

        PasswordWanted() {
            super("the proxy wants a user name and password", null);
        }
    }

    /** The user name and password of one set-up, cleared after it. */
    static final class Login {
        final String name;
        final byte[] user;
        final byte[] password;
        /** For messages: empty for configured credentials, else where they came from. */
        final String origin;

        private Login(String name, byte[] password, String origin) {
            this.name = name;
            this.user = name.getBytes(UTF_8);
            this.password = password;
            this.origin = origin;
        }

        static Login configured(ProxyEndpoint proxy) {
            return proxy.hasCredentials() ? new Login(proxy.username(), proxy.passwordBytes(), "") : null;
        }

        /**
         * The default {@link Authenticator}'s answer, asked exactly as the JDK's SOCKS client
         * ({@code java.net.SocksSocketImpl}) asks it: the proxy's host as configured, its address, port, protocol
         * "SOCKS5", prompt "SOCKS authentication", no scheme; in {@code doPrivileged}, since under a
         * SecurityManager the request needs NetPermission requestPasswordAuthentication, which the agent has
         * and the application's frames on this thread (it may have started the set-up) may not. Null when no
         * Authenticator is installed, it answers null, or its answer cannot be sent (RFC 1929: 1 to 255 bytes).
         */
        static Login fromAuthenticator(final String host, final InetSocketAddress proxy) {
            PasswordAuthentication answer = AccessController.doPrivileged(
                    new PrivilegedAction<PasswordAuthentication>() {
                        @Override
                        public PasswordAuthentication run() {
                            return Authenticator.requestPasswordAuthentication(host, proxy.getAddress(),
                                    proxy.getPort(), "SOCKS5", "SOCKS authentication", null);
                        }
                    });
            if (answer == null || answer.getUserName() == null || answer.getPassword() == null) {
                return null;
            }
            char[] chars = answer.getPassword();
            ByteBuffer encoded = UTF_8.encode(CharBuffer.wrap(chars));
            Arrays.fill(chars, '\0'); // the caller's to clear, says PasswordAuthentication.getPassword
            byte[] password = new byte[encoded.remaining()];
            encoded.get(password);
            Arrays.fill(encoded.array(), (byte) 0);
            String name = answer.getUserName();
            int userLength = name.getBytes(UTF_8).length;
            if (userLength < 1 || userLength > 255 || password.length < 1 || password.length > 255) {
                Arrays.fill(password, (byte) 0);
                return null;
            }
            return new Login(name, password, " (from the java.net.Authenticator)");
        }

        void clear() {
            Arrays.fill(password, (byte) 0);
        }
    }

    static void closeQuietly(SocketChannel s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // already failing; the original cause is what matters
        }
    }
}
