package io.socksudp.agent.intercept;

import java.io.IOException;
import java.net.InetSocketAddress;

/** What the tunnel needs from the JDK's own channel internals, per JDK generation. */
public interface ChannelAccess extends SocketAccess {

    /**
     * The real source of the datagram just received. Returns {@code previous} itself when the source is the same
     * address and port, so a steady stream from the relay costs no allocation on any JDK.
     */
    InetSocketAddress actualSource(Object channel, InetSocketAddress previous) throws IOException;

    /**
     * Waits until a datagram is there to receive, or the channel is closed: true; throws the socket adaptor's
     * SocketTimeoutException when {@code deadlineNanos} (System.nanoTime) passes first.
     */
    boolean awaitDatagram(Object channel, long deadlineNanos) throws IOException;

    /**
     * Whether the socket has joined a multicast group: group traffic then arrives directly from the LAN's
     * senders (multicast never goes through the relay), so such a socket accepts direct datagrams.
     */
    boolean hasJoinedGroups(Object channel) throws IOException;
}
