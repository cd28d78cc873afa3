package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** What the agent does at each interception point; implemented outside the bootstrap loader. */
public interface DatagramHooks {

    ChannelTunnel sendTunnel(Object channel, InetSocketAddress target) throws IOException;

    ChannelTunnel sendTunnelForName(Object channel, SocketAddress target) throws IOException;

    ChannelTunnel peerTunnel(Object channel);

    ChannelTunnel peerSendTunnel(Object channel) throws IOException;

    ChannelTunnel receiveTunnel(Object channel);

    InetSocketAddress sender(Object channel);

    void timedReceive(Object channel, long deadlineNanos);

    UdpTunnel connectTunnel(Object channel, SocketAddress peer) throws IOException;

    void disconnected(Object channel);

    void closed(Object channel);

    /** The tunnel of a legacy DatagramSocketImpl (created on first use), or null when it is not tunnelled. */
    PacketTunnel packetTunnel(Object impl) throws IOException;
}
