package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One application socket's side of the SOCKS5 UDP relay, as the advice sees it.
 *
 * <p>The advice swaps buffers and addresses around the JDK's own private send and receive, so the datagram
 * still goes through the application's own OS socket and the JDK keeps doing locking, blocking, timeouts,
 * interrupts and selector readiness exactly as without the agent.
 */
public abstract class UdpTunnel {

    /**
     * Frames {@code payload} (position to limit, not consumed) with the SOCKS5 UDP header for
     * {@code target} and returns the buffer to hand to the OS instead.
     */
    public abstract ByteBuffer frame(ByteBuffer payload, InetSocketAddress target) throws IOException;

    /** Where framed datagrams go: the relay of the current association. */
    public abstract InetSocketAddress relay();

    /**
     * Accounts for a framed send of {@code written} bytes: consumes the payload and returns the count the
     * application expects (payload bytes), or passes through a JDK status code.
     */
    public abstract int sent(ByteBuffer payload, int written);

    /** A cleared buffer large enough for any datagram, to receive into instead of the caller's. */
    public abstract ByteBuffer receiveBuffer();

    /**
     * Vets the datagram of {@code n} bytes just received into {@link #receiveBuffer()}, copies its payload
     * into {@code dst} the way the JDK would, and returns the count for the JDK's caller; returns -2 (the
     * JDK's IOStatus.UNAVAILABLE, "nothing there, try again") for a datagram that must be dropped.
     */
    public abstract int received(Object channel, ByteBuffer dst, int n) throws IOException;
}
