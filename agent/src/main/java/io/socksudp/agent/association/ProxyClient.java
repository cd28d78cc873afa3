package io.socksudp.agent.association;

import io.socksudp.agent.config.AssociateMode;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;
import io.socksudp.agent.socks.SocksProtocolException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Opens UDP associations with the configured SOCKS5 proxy (RFC 1928, RFC 1929).
 *
 * <p>The control connection and its handshake are {@link ProxyHandshake}'s (shared with {@link ProxyConnector}'s
 * CONNECT); this class chooses the request's DST.ADDR for the associate mode and the relay address from the reply.
 */
public final class ProxyClient {

    private final Config config;
    private final ProxyHandshake handshake;

    public ProxyClient(Config config) {
        this.config = config;
        this.handshake = new ProxyHandshake(config);
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
        int timeout = config.connectTimeoutMillis();
        long deadline = System.nanoTime() + timeout * 1_000_000L;
        ProxyHandshake.Opened opened = handshake.open(Socks5.UDP_ASSOCIATE, request(localAddress), "UDP ASSOCIATE",
                deadline, timeout, "socksudp.connectTimeout", cancel);
        boolean ok = false;
        try {
            InetSocketAddress relay = relayAddress(opened.reply.bound(), opened.channel.socket().getInetAddress());
            ok = true;
            return new Association(opened.channel, relay, proxyName());
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
                ProxyHandshake.closeQuietly(opened.channel);
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

    /** Whether the request names the socket's local address or port (modes port and full). */
    boolean namesLocalAddress() {
        return config.associateMode() != AssociateMode.ZERO;
    }

    /** DST.ADDR/DST.PORT of the UDP ASSOCIATE request for the configured mode. */
    private SocksAddress request(InetSocketAddress local) {
        AssociateMode mode = config.associateMode();
        if (mode == AssociateMode.ZERO || local == null) {
            return SocksAddress.zeroIpv4();
        }
        if (mode == AssociateMode.PORT) {
            return SocksAddress.ofIpv4(new byte[4], local.getPort());
        }
        return SocksAddress.of(local);
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
