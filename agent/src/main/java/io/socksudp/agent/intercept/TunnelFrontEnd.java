package io.socksudp.agent.intercept;

import io.socksudp.agent.bootstrap.UdpTunnel;

import java.net.InetSocketAddress;

/**
 * What {@link TunnelHooks} keeps per socket: the front-end the advice gets ({@link ChannelFrontEnd} or
 * {@link PacketFrontEnd}), with the socket's {@link AssociatedSocket} behind it.
 */
interface TunnelFrontEnd {

    /** The socket's association and peer. */
    AssociatedSocket tunnel();

    /** This front-end, for a connect through the tunnel: the OS socket is to connect to {@code relay}. */
    UdpTunnel connectingTo(InetSocketAddress relay);
}
