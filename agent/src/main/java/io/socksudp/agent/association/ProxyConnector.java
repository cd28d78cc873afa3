package io.socksudp.agent.association;

import io.socksudp.agent.config.ProxyEndpoint;
import io.socksudp.agent.config.ProxySettings;
import io.socksudp.agent.socks.Command;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;

import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * TCP connections through the proxy (SOCKS5 CONNECT, RFC 1928 section 4), for the agent's own needs: the DNS
 * client asks over TCP when a UDP answer comes back truncated. The control connection and its handshake are
 * {@link ProxyHandshake}'s, shared with {@link ProxyClient}'s UDP ASSOCIATE: the same credentials, the same
 * pipelined greeting, authentication and request in one write, the same single deadline and error wording.
 */
public final class ProxyConnector {

    private final ProxySettings config;
    private final List<ProxyHandshake> handshakes = new ArrayList<ProxyHandshake>();

    public ProxyConnector(ProxySettings config) {
        this.config = config;
        for (ProxyEndpoint proxy : config.proxies()) {
            handshakes.add(new ProxyHandshake(proxy));
        }
    }

    /**
     * A blocking TCP connection to {@code destination} through the proxy (with a failover list, the first proxy in
     * order that grants the CONNECT: this rare path keeps no health of its own, so a proxy that is down costs its
     * failed connect each time). The TCP connects and the whole handshakes share one deadline, {@code timeoutMillis}
     * or socksudp.connectTimeout if shorter; afterwards {@code timeoutMillis} is the connection's read timeout.
     * Throws {@link ProxyUnavailableException} naming the proxy and the cause (the last proxy's, with a list).
     */
    public SocketChannel connect(InetSocketAddress destination, int timeoutMillis) throws ProxyUnavailableException {
        int limit = Math.min(timeoutMillis, config.connectTimeoutMillis());
        String setting = limit < timeoutMillis ? "socksudp.connectTimeout" : "resolv.conf's timeout times attempts";
        long deadline = handshakes.get(0).nanoTime() + limit * 1_000_000L;
        ProxyHandshake.Opened opened = null;
        ProxyUnavailableException failure = null;
        for (ProxyHandshake handshake : handshakes) {
            try {
                opened = handshake.open(Command.CONNECT, ProxyHandshake.fixed(SocksAddress.of(destination)),
                        "CONNECT to " + destination, deadline, limit, setting, null);
                break;
            } catch (ProxyUnavailableException e) {
                failure = e;
                if (deadline - handshake.nanoTime() <= 0) {
                    break;
                }
            }
        }
        if (opened == null) {
            throw failure;
        }
        try {
            opened.channel.socket().setSoTimeout(timeoutMillis);
        } catch (SocketException e) {
            ProxyHandshake.closeQuietly(opened.channel);
            throw new ProxyUnavailableException("cannot use the connection through SOCKS5 proxy " + config.proxyNames()
                    + ": " + e.getMessage(), e);
        }
        return opened.channel;
    }
}
