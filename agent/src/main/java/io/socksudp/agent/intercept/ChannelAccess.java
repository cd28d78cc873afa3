package io.socksudp.agent.intercept;

import java.io.IOException;
import java.net.InetSocketAddress;

/** What the tunnel needs from the JDK's own channel internals, per JDK generation. */
public interface ChannelAccess {

    /**
     * The real source of the datagram just received. Returns {@code previous} itself when the source is the same
     * address and port, so a steady stream from the relay costs no allocation on any JDK.
     */
    InetSocketAddress actualSource(Object channel, InetSocketAddress previous) throws IOException;

    /**
     * Whether the socket has joined a multicast group: group traffic then arrives directly from the LAN's
     * senders (multicast never goes through the relay), so such a socket accepts direct datagrams.
     */
    boolean hasJoinedGroups(Object channel) throws IOException;

    /**
     * The socket's local address, binding it first (to the wildcard address and an ephemeral port, as its first
     * send would) if it is not bound yet; for the association modes that name it.
     */
    InetSocketAddress localAddress(Object channel) throws IOException;

    /** Connects the channel's OS socket to {@code relay}, leaving the JDK's view of the peer alone. */
    void reconnect(Object channel, InetSocketAddress relay) throws IOException;
}
