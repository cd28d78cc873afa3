package io.socksudp.agent.association;

import java.net.InetSocketAddress;

/**
 * What opens associations with one proxy of the list: {@link ProxyClient} in the agent (the SOCKS5 handshake), a
 * fake in the recovery tests. {@link AssociationManager} drives one per proxy and knows nothing else of them, so
 * recovery, backoff and failover can be tested without a proxy.
 */
interface AssociationOpener {

    /** The proxy as configured, for messages and to match an association to its proxy. */
    String proxyName();

    /**
     * A new association for the socket bound to {@code localAddress} (null unless {@link #namesLocalAddress});
     * {@code cancel} (may be null) learns the control connection as soon as it exists, so another thread can
     * abort the set-up. Throws a {@link ProxyUnavailableException} naming the proxy and the cause.
     */
    Association associate(InetSocketAddress localAddress, ProxyClient.Cancellation cancel)
            throws ProxyUnavailableException;

    /** The failover's health check: whether the proxy grants a UDP ASSOCIATE now (closed at once). */
    void probe() throws ProxyUnavailableException;

    /** The deadline of one set-up, in ms. */
    int connectTimeoutMillis();

    /** Whether a request may name the socket's local address or port. */
    boolean namesLocalAddress();

    /** An association of this proxy granted at {@code establishedNanos} was lost ({@code associate=auto} forgets). */
    void lost(long establishedNanos);

    /** Whether {@code socket} is one of this opener's own (the {@code associate=auto} check's sockets). */
    boolean owns(Object socket);
}
