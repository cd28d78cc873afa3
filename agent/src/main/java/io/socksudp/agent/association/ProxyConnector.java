package io.socksudp.agent.association;

import io.socksudp.agent.config.Config;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;

import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.SocketChannel;

/**
 * TCP connections through the proxy (SOCKS5 CONNECT, RFC 1928 section 4), for the agent's own needs: the DNS
 * client asks over TCP when a UDP answer comes back truncated. The control connection and its handshake are
 * {@link ProxyHandshake}'s, shared with {@link ProxyClient}'s UDP ASSOCIATE: the same credentials, the same
 * pipelined greeting, authentication and request in one write, the same single deadline and error wording.
 */
public final class ProxyConnector {

    private final Config config;
    private final ProxyHandshake handshake;

    public ProxyConnector(Config config) {
        this.config = config;
        this.handshake = new ProxyHandshake(config);
    }

    /**
     * A blocking TCP connection to {@code destination} through the proxy. The TCP connect and the whole handshake
     * share one deadline, {@code timeoutMillis} or socksudp.connectTimeout if shorter; afterwards
     * {@code timeoutMillis} is the connection's read timeout. Throws {@link ProxyUnavailableException} naming the
     * proxy and the cause.
     */
    public SocketChannel connect(InetSocketAddress destination, int timeoutMillis) throws ProxyUnavailableException {
        int limit = Math.min(timeoutMillis, config.connectTimeoutMillis());
        String setting = limit < timeoutMillis ? "socksudp.connectTimeout" : "resolv.conf's timeout times attempts";
        long deadline = handshake.nanoTime() + limit * 1_000_000L;
        ProxyHandshake.Opened opened = handshake.open(Socks5.CONNECT, ProxyHandshake.fixed(SocksAddress.of(destination)),
                "CONNECT to " + destination, deadline, limit, setting, null);
        try {
            opened.channel.socket().setSoTimeout(timeoutMillis);
        } catch (SocketException e) {
            ProxyHandshake.closeQuietly(opened.channel);
            throw new ProxyUnavailableException("cannot use the connection through SOCKS5 proxy " + config.proxy()
                    + ": " + e.getMessage(), e);
        }
        return opened.channel;
    }
}
