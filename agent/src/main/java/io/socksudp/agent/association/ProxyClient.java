package io.socksudp.agent.association;

import io.socksudp.agent.config.AssociateMode;
import io.socksudp.agent.config.Config;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Opens UDP associations with the configured SOCKS5 proxy (RFC 1928, RFC 1929).
 *
 * <p>The greeting, the username/password sub-negotiation and the UDP ASSOCIATE request go out in one write:
 * a single round trip instead of three (verified with danted and ss-local). That is only sound when we
 * offer exactly one method, so with credentials we offer only username/password: a user who configured
 * credentials wants them used, and a server that then answers "no acceptable methods" gets a clear error.
 */
public final class ProxyClient {

    private final Config config;

    private final FormLearner learner;

    public ProxyClient(Config config) {
        this.config = config;
        this.learner = new FormLearner(this);
    }

    public String proxyName() {
        return config.proxy().toString();
    }

    /**
     * Opens an association for a socket bound to {@code localAddress} (used by the port and full modes).
     * The connect timeout is one deadline over the TCP connect and the whole handshake (a proxy that trickles
     * its reply cannot stretch it); resolving the configured proxy's (or relayHost's) name happens before and is
     * the system resolver's. Throws {@link ProxyUnavailableException} naming the proxy and the cause.
     */
    public Association associate(InetSocketAddress localAddress) throws ProxyUnavailableException {
        return associate(localAddress, null);
    }

    /**
     * As {@link #associate(InetSocketAddress)}; {@code cancel} (may be null) learns the control connection as
     * soon as it exists, so that another thread can abort the set-up by closing it (a socket closed meanwhile).
     */
    Association associate(InetSocketAddress localAddress, Cancellation cancel) throws ProxyUnavailableException {
        AssociateMode mode = config.associateMode();
        if (mode == AssociateMode.AUTO) {
            mode = learner.form(); // checked once per proxy (or again after a loss); throws when nothing works
        }
        Granted granted = open(mode, localAddress, cancel);
        return new Association(granted.control, granted.relay, proxyName(),
                mode.configValue() + " " + granted.requested);
    }

    /** A control connection whose UDP ASSOCIATE was granted, and the relay to send to. */
    static final class Granted {
        final SocketChannel control;
        final InetSocketAddress relay;
        /** DST.ADDR and DST.PORT as requested. */
        final SocksAddress requested;

        Granted(SocketChannel control, InetSocketAddress relay, SocksAddress requested) {
            this.control = control;
            this.relay = relay;
            this.requested = requested;
        }
    }

    /**
     * Connects and associates in form {@code mode} (never AUTO) for a socket bound to {@code localAddress}; the
     * caller owns the control connection. {@link #associate} and the {@link FormLearner}'s check share it.
     */
    Granted open(AssociateMode mode, InetSocketAddress localAddress, Cancellation cancel)
            throws ProxyUnavailableException {
        String proxy = proxyName();
        InetSocketAddress proxyAddress;
        try {
            // Resolved at each association, so a proxy whose address changes is followed.
            proxyAddress = config.proxy().resolve();
        } catch (IOException e) {
            throw new ProxyUnavailableException("cannot resolve SOCKS5 proxy " + proxy + ": " + e.getMessage(), e);
        }
        // A channel, so the monitor's selector can watch it afterwards; channels also never go through the
        // JDK's socksProxyHost, which would socksify a plain new Socket() when the user set it.
        SocketChannel control = null;
        boolean ok = false;
        int timeout = config.connectTimeoutMillis();
        long deadline = System.nanoTime() + timeout * 1_000_000L;
        try {
            control = SocketChannel.open();
            if (cancel != null && !cancel.started(control)) {
                throw new ProxyUnavailableException("the association with SOCKS5 proxy " + proxy + " was cancelled");
            }
            Socket socket = control.socket();
            socket.setTcpNoDelay(true);
            // Keepalive lets a dead path eventually surface as a reset of the control connection.
            socket.setKeepAlive(true);
            socket.connect(proxyAddress, timeout);
            SocksAddress dst = request(mode, localAddress, socket.getLocalAddress());
            InetSocketAddress relay = handshake(socket, dst, deadline);
            ok = true;
            return new Granted(control, relay, dst);
        } catch (SocketTimeoutException e) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " did not complete the handshake within "
                    + timeout + " ms (socksudp.connectTimeout)", e);
        } catch (SocksProtocolException e) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " answered with a malformed reply: "
                    + e.getMessage(), e);
        } catch (ProxyUnavailableException e) {
            throw e;
        } catch (IOException e) {
            if (cancel != null && cancel.cancelled()) {
                throw new ProxyUnavailableException("the association with SOCKS5 proxy " + proxy + " was cancelled", e);
            }
            throw new ProxyUnavailableException("cannot reach SOCKS5 proxy " + proxy + ": " + e.getMessage(), e);
        } finally {
            if (!ok) {
                closeQuietly(control);
            }
        }
    }

    /** Lets another thread abort a set-up in progress by closing its control connection. */
    interface Cancellation {
        /** The set-up's control connection exists; false when the set-up was cancelled already. */
        boolean started(SocketChannel control);

        boolean cancelled();
    }

    /** The deadline of one set-up (TCP connect and handshake), in ms. */
    int connectTimeoutMillis() {
        return config.connectTimeoutMillis();
    }

    /** Whether the request may name the socket's local address or port (modes port, full and auto). */
    boolean namesLocalAddress() {
        return config.associateMode() != AssociateMode.ZERO;
    }

    /** What {@code associate=auto} learned, and forgets after a loss. */
    FormLearner learner() {
        return learner;
    }

    /**
     * DST.ADDR/DST.PORT of the UDP ASSOCIATE request in form {@code mode}. {@code full} names the address the
     * proxy sees this host at: the socket's own address when it is bound to one, else (the usual wildcard
     * socket, whose {@code [::]} or {@code 0.0.0.0} says nothing) the control connection's local address, which
     * is IPv4 when the proxy is reached over IPv4 (the JDK never reports an IPv4-mapped IPv6 address).
     */
    static SocksAddress request(AssociateMode mode, InetSocketAddress local, InetAddress controlLocal) {
        if (mode == AssociateMode.ZERO || local == null) {
            return SocksAddress.zeroIpv4();
        }
        if (mode == AssociateMode.PORT) {
            return SocksAddress.ofIpv4(new byte[4], local.getPort());
        }
        InetAddress address = local.getAddress();
        if (address == null || address.isAnyLocalAddress()) {
            address = controlLocal;
        }
        return SocksAddress.of(new InetSocketAddress(address, local.getPort()));
    }

    private InetSocketAddress handshake(Socket control, SocksAddress dst, long deadline) throws IOException {
        byte[] user = config.username() == null ? null : config.username().getBytes("UTF-8");
        byte[] pass = config.passwordBytes();
        ByteBuffer out = ByteBuffer.allocate(3 + 3 + 255 + 255 + 6 + 262);
        if (user != null) {
            MethodNegotiation.encodeGreeting(out, Socks5.USERNAME_PASSWORD);
            PasswordAuth.encodeRequest(out, user, pass);
            java.util.Arrays.fill(pass, (byte) 0);
        } else {
            MethodNegotiation.encodeGreeting(out, Socks5.NO_AUTH);
        }
        CommandRequest.encode(out, Socks5.UDP_ASSOCIATE, dst);
        OutputStream os = control.getOutputStream();
        os.write(out.array(), 0, out.position());
        os.flush();

        InputStream is = control.getInputStream();
        ByteBuffer in = ByteBuffer.allocate(512);
        in.flip();
        Integer method;
        while ((method = MethodNegotiation.decodeSelection(in)) == null) {
            in = readMore(control, is, in, deadline, "the method selection");
        }
        int expected = user != null ? Socks5.USERNAME_PASSWORD : Socks5.NO_AUTH;
        if (method == Socks5.NO_ACCEPTABLE_METHODS) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " accepts none of the offered "
                    + "authentication methods (offered: " + (user != null ? "username/password" : "no authentication")
                    + (user != null ? ")" : "; configure socksudp.username and socksudp.password)"));
        }
        if (method != expected) {
            throw new SocksProtocolException("proxy selected method " + method + ", which was not offered");
        }
        if (user != null) {
            Boolean accepted;
            while ((accepted = PasswordAuth.decodeResponse(in)) == null) {
                in = readMore(control, is, in, deadline, "the authentication reply");
            }
            if (!accepted) {
                throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " rejected the username and "
                        + "password of user '" + config.username() + "' (RFC 1929 authentication failed)");
            }
        }
        CommandReply reply;
        while ((reply = CommandReply.decode(in)) == null) {
            in = readMore(control, is, in, deadline, "the UDP ASSOCIATE reply");
        }
        if (!reply.isSuccess()) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " refused UDP ASSOCIATE: "
                    + ReplyCode.describe(reply.rep()));
        }
        if (in.hasRemaining()) {
            throw new SocksProtocolException("the proxy sent " + in.remaining() + " byte(s) after its reply");
        }
        return relayAddress(reply.bound(), control.getInetAddress());
    }

    /**
     * BND.ADDR fix-up: a wildcard or empty address means "the proxy's own address" (the address our TCP
     * connection reached); a configured relayHost replaces whatever the server advertised. A host name there is
     * refused: resolving a name the proxy chose would let the proxy make this host look up names of its choosing
     * (a DNS query the proxy controls, possibly leaving through another path), outside any deadline.
     */
    private InetSocketAddress relayAddress(SocksAddress bound, InetAddress proxyAddress) throws IOException {
        if (bound.port() == 0) {
            throw new SocksProtocolException("UDP ASSOCIATE reply names relay port 0");
        }
        InetAddress address;
        if (config.relayHost() != null) {
            address = InetAddress.getByName(config.relayHost());
        } else if (bound.isWildcard()) {
            address = proxyAddress;
        } else if (bound.type() == Socks5.ATYP_DOMAIN) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " advertised its UDP relay as the"
                    + " host name " + printable(bound.host()) + " (BND.ADDR); socksudp never resolves names chosen by"
                    + " the proxy; set socksudp.relayHost to the relay's address");
        } else {
            address = bound.toInetSocketAddress().getAddress();
        }
        return new InetSocketAddress(address, bound.port());
    }

    /** Reads what is there, waiting no longer than the deadline: a proxy trickling its reply cannot extend it. */
    private static ByteBuffer readMore(Socket control, InputStream is, ByteBuffer in, long deadline, String what)
            throws IOException {
        in.compact();
        if (!in.hasRemaining()) {
            throw new SocksProtocolException(what + " is longer than any valid SOCKS5 message");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException(what + " did not arrive before the deadline");
        }
        control.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000L)));
        int n = is.read(in.array(), in.arrayOffset() + in.position(), in.remaining());
        if (n < 0) {
            throw new EOFException("the proxy closed the connection before sending " + what);
        }
        in.position(in.position() + n);
        in.flip();
        return in;
    }

    /** A name from the wire, quoted on one line, shortened, without control characters. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < name.length() && i < 64; i++) {
            char c = name.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.append(name.length() > 64 ? "...'" : "'").toString();
    }

    private static void closeQuietly(SocketChannel s) {
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
