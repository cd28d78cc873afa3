package io.socksudp.agent.association;

import io.socksudp.agent.config.AssociateMode;
import io.socksudp.agent.config.ProxyEndpoint;
import io.socksudp.agent.config.ProxySettings;
import io.socksudp.agent.socks.Command;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;
import io.socksudp.agent.socks.SocksProtocolException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.channels.SocketChannel;

/**
 * Opens UDP associations with the configured SOCKS5 proxy (RFC 1928, RFC 1929).
 *
 * <p>The control connection and its handshake are {@link ProxyHandshake}'s (shared with {@link ProxyConnector}'s
 * CONNECT); this class chooses the request's DST.ADDR for the associate mode and the relay address from the reply.
 */
public final class ProxyClient implements AssociationOpener {

    private final ProxySettings config;
    private final ProxyEndpoint proxy;
    private final ProxyHandshake handshake;
    private final FormLearner learner;

    /** A client of {@code proxy}, one of {@code config}'s proxies. */
    public ProxyClient(ProxySettings config, ProxyEndpoint proxy) {
        this(config, proxy, ControlWire.SOCKETS);
    }

    /** With the fuzz test's in-memory connections and clock. */
    ProxyClient(ProxySettings config, ProxyEndpoint proxy, ControlWire wire) {
        this.config = config;
        this.proxy = proxy;
        this.handshake = new ProxyHandshake(proxy, wire);
        this.learner = new FormLearner(this);
    }

    /** A client of the configuration's first proxy (tools, tests). */
    public ProxyClient(ProxySettings config) {
        this(config, config.proxies().get(0));
    }

    @Override
    public String proxyName() {
        return proxy.toString();
    }

    /**
     * Whether the proxy grants a UDP ASSOCIATE now (the failover's health check: a TCP connect alone proves
     * nothing): one in the configured form (zero for auto: the form check is the next association's business),
     * for no socket, closed at once. Counted in no metric. Throws the failure as {@link #associate} would.
     */
    @Override
    public void probe() throws ProxyUnavailableException {
        AssociateMode mode = config.associateMode() == AssociateMode.AUTO ? AssociateMode.ZERO
                : config.associateMode();
        ProxyHandshake.closeQuietly(open(mode, null, null).control);
    }

    /**
     * Opens an association for a socket bound to {@code localAddress} (used by the port and full modes).
     * The connect timeout is one deadline over the TCP connect and the whole handshake (a proxy that trickles
     * its reply cannot stretch it), the system resolver's look-ups of the configured proxy's and relayHost's names
     * included ({@link DeadlineResolver}). Throws {@link ProxyUnavailableException} naming the proxy and the cause.
     * {@code cancel} (may be null) learns the control connection as soon as it exists, so that another thread can
     * abort the set-up by closing it (a socket closed meanwhile).
     */
    @Override
    public Association associate(InetSocketAddress localAddress, Cancellation cancel)
            throws ProxyUnavailableException {
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
    Granted open(final AssociateMode mode, final InetSocketAddress localAddress, Cancellation cancel)
            throws ProxyUnavailableException {
        int timeout = config.connectTimeoutMillis();
        long deadline = handshake.nanoTime() + timeout * 1_000_000L;
        ProxyHandshake.Opened opened = handshake.open(Command.UDP_ASSOCIATE, new ProxyHandshake.Destination() {
            @Override
            public SocksAddress given(InetAddress controlLocal) {
                return request(mode, localAddress, controlLocal);
            }
        }, "UDP ASSOCIATE", deadline, timeout, "socksudp.connectTimeout", cancel);
        boolean ok = false;
        try {
            InetSocketAddress relay = relayAddress(opened.reply.bound(), opened.proxy,
                    deadline - handshake.nanoTime());
            if (isTheSocketItself(relay, localAddress)) {
                // Framed datagrams would come back to the socket "from the relay" and be delivered as if from their
                // destination: a proxy that is misconfigured or hostile, never a relay.
                throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " named the socket's own address "
                        + relay + " as its UDP relay (BND.ADDR/BND.PORT): its datagrams would loop back to it as if"
                        + " from their destination");
            }
            ok = true;
            return new Granted(opened.channel, relay, opened.requested);
        } catch (SocksProtocolException e) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " answered with a malformed reply: "
                    + e.getMessage(), e);
        } catch (ProxyUnavailableException e) {
            throw e;
        } catch (IOException e) {
            throw new ProxyUnavailableException("cannot resolve the UDP relay of SOCKS5 proxy " + proxyName() + ": "
                    + e.getMessage(), e);
        } finally {
            if (!ok) {
                opened.control.close();
            }
        }
    }

    /**
     * Whether datagrams to {@code relay} would reach the socket bound to {@code local}: the same port, and the
     * socket's own address, or, for a socket bound to the wildcard, any address of this host. A relay on another
     * address of this host with the same port number is another socket, and fine.
     */
    static boolean isTheSocketItself(InetSocketAddress relay, InetSocketAddress local) {
        if (local == null || local.getAddress() == null || relay.getPort() != local.getPort()) {
            return false;
        }
        return local.getAddress().isAnyLocalAddress() ? isThisHost(relay.getAddress())
                : local.getAddress().equals(relay.getAddress());
    }

    /** Whether {@code address} is one of this host's own (loopback, wildcard, or an interface's). */
    static boolean isThisHost(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** Lets another thread abort a set-up in progress by closing its control connection. */
    interface Cancellation {
        /** The set-up's control connection exists; false when the set-up was cancelled already. */
        boolean started(SocketChannel control);

        boolean cancelled();
    }

    /** The deadline of one set-up (TCP connect and handshake), in ms. */
    @Override
    public int connectTimeoutMillis() {
        return config.connectTimeoutMillis();
    }

    /** Whether the request may name the socket's local address or port (modes port, full and auto). */
    @Override
    public boolean namesLocalAddress() {
        return config.associateMode() != AssociateMode.ZERO;
    }

    /** {@code associate=auto}: the proxy may have changed (restarted): its form is checked again. */
    @Override
    public void lost(long establishedNanos) {
        learner.lost(establishedNanos);
    }

    @Override
    public boolean owns(Object socket) {
        return learner.owns(socket);
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

    /**
     * BND.ADDR fix-up: a wildcard or empty address means "the proxy's own address" (the address our TCP
     * connection reached); a configured relayHost replaces whatever the server advertised. A host name there is
     * refused: resolving a name the proxy chose would let the proxy make this host look up names of its choosing
     * (a DNS query the proxy controls, possibly leaving through another path), outside any deadline.
     */
    private InetSocketAddress relayAddress(SocksAddress bound, InetAddress proxyAddress, long leftNanos)
            throws IOException {
        if (bound.port() == 0) {
            throw new SocksProtocolException("UDP ASSOCIATE reply names relay port 0");
        }
        InetAddress address;
        if (config.relayHost() != null) {
            address = DeadlineResolver.byName(config.relayHost(), leftNanos, "socksudp.connectTimeout");
        } else if (bound.isWildcard()) {
            address = proxyAddress;
        } else if (bound.type() == Socks5.ATYP_DOMAIN) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxyName() + " advertised its UDP relay as the"
                    + " host name " + printable(bound.host()) + " (BND.ADDR); socksudp never resolves names chosen by"
                    + " the proxy; set socksudp.relayHost to the relay's address");
        } else {
            address = bound.toInetSocketAddress().getAddress();
            if (address.equals(proxyAddress)) {
                address = proxyAddress; // the usual case: one object for every association's relay, not one each
            }
        }
        return new InetSocketAddress(address, bound.port());
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
}
