package io.socksudp.agent.intercept;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What a socket's association needs from the JDK's internals, whichever kind the socket is: a
 * {@code DatagramChannelImpl} ({@link ChannelAccess}) or a legacy DatagramSocketImpl ({@link PacketAccess}).
 */
public interface SocketAccess {

    /**
     * The socket's local address, binding it first (to the wildcard address and an ephemeral port, as its first
     * send would) if it is not bound yet; for the association modes that name it.
     */
    InetSocketAddress localAddress(Object socket) throws IOException;

    /** Connects the socket's OS socket to {@code relay}, leaving the JDK's view of the peer alone. */
    void reconnect(Object socket, InetSocketAddress relay) throws IOException;
}
