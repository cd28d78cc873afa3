package io.socksudp.agent.intercept.netty;

import java.net.InetSocketAddress;

/**
 * What the Netty strategy keeps per tunnelled channel beside its tunnel ({@code NativeFrontEnd.strategyState}):
 * the writes held for the association's set-up, the channel's reused frames, and what a read path that already
 * vetted a datagram tells the {@code fireChannelRead} hook. Event loop only (Netty runs all of a channel's I/O there).
 */
final class ChannelState {

    /** Created at the first write held for a set-up. */
    HeldWrites held;
    final FramePool frames = new FramePool();

    /**
     * The packet (epoll: built by the agent) or the sender (io_uring: the one Netty is building its packet with) of
     * the datagram a read path has just vetted, so the {@code fireChannelRead} hook, which Netty calls next with it,
     * neither vets it again nor counts a drop twice; null when none is pending.
     */
    Object vetted;
    /** Whether {@link #vetted} was accepted (unwrapped: delivered as it is) or dropped (counted: released). */
    boolean vettedAccepted;

    /** The relay whose address bytes {@link #relayBytes} holds. */
    private InetSocketAddress relay;
    private byte[] relayBytes;

    /**
     * Whether the source Netty's native read wrote as {@code length} bytes of {@code address} (4 for IPv4, 16 for
     * IPv6, an IPv4 source on a dual-stack socket as an IPv4-mapped IPv6 address) and {@code port} is {@code relay},
     * with no allocation while the relay stays the same.
     */
    boolean isRelay(InetSocketAddress current, byte[] address, int length, int port) {
        if (current.getPort() != port || current.getAddress() == null) {
            return false;
        }
        if (current != relay) {
            relayBytes = current.getAddress().getAddress();
            relay = current;
        }
        byte[] r = relayBytes;
        if (length == r.length) {
            for (int i = 0; i < length; i++) {
                if (address[i] != r[i]) {
                    return false;
                }
            }
            return true;
        }
        if (length != 16 || r.length != 4) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff && address[12] == r[0]
                && address[13] == r[1] && address[14] == r[2] && address[15] == r[3];
    }
}
