package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** What the agent does at each interception point; implemented outside the bootstrap loader. */
public interface DatagramHooks {

    UdpTunnel sendTunnel(Object channel, InetSocketAddress target) throws IOException;

    UdpTunnel sendTunnelForName(Object channel, SocketAddress target) throws IOException;

    UdpTunnel peerTunnel(Object channel);

    UdpTunnel peerSendTunnel(Object channel) throws IOException;

    UdpTunnel receiveTunnel(Object channel);

    InetSocketAddress sender(Object channel);

    UdpTunnel connectTunnel(Object channel, SocketAddress peer) throws IOException;

    void disconnected(Object channel);

    void closed(Object channel);

    /** The tunnel of a legacy DatagramSocketImpl (created on first use), or null when it is not tunnelled. */
    UdpTunnel packetTunnel(Object impl) throws IOException;
}
