package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.InetSocketAddress;

/** What the agent does at each interception point; implemented outside the bootstrap loader. */
public interface DatagramHooks {

    UdpTunnel sendTunnel(Object channel, InetSocketAddress target) throws IOException;

    UdpTunnel receiveTunnel(Object channel);

    InetSocketAddress sender(Object channel);

    void connecting(Object channel, Object peer) throws IOException;

    void closed(Object channel);
}
