package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.ClassFileInventory;

/**
 * What the agent can do with one Netty native datagram channel class, decided from the members its class file
 * declares and the calls it makes (never from a version string: shaded copies carry none, and a new Netty may change
 * its internals in a patch release).
 */
enum NettyLayout {
    /**
     * Epoll's channel as Netty 4.1 and 4.2 have it: declares {@link NettyMember#FILTER_OUTBOUND}, {@link
     * NettyMember#DO_CONNECT}, {@link NettyMember#DO_DISCONNECT}, {@link NettyMember#DO_CLOSE}, {@code doWrite} and hands received
     * packets to {@code ChannelPipeline.fireChannelRead}: its datagrams to proxied destinations are framed and sent
     * to the relay, what it receives is unwrapped (see {@code NettyTunnels}). io_uring's channel (Netty 4.2, and the
     * 4.1 incubator's) declares the same but {@code doConnect}: its packets are fired by its read loop, which refuses
     * to be constructed when it does not fire them, and its connect is hooked in the classes it inherits (see {@link
     * NettyTransport#readsInReadLoop}).
     */
    TUNNELLED,
    /**
     * Declares {@link NettyMember#FILTER_OUTBOUND}: every write is checked before it is queued, and one that would
     * reach a proxied destination fails (bypassed, multicast and broadcast destinations keep working); a declared
     * {@link NettyMember#DO_CONNECT} to a proxied peer fails too.
     */
    GUARDED,
    /**
     * Anything else (a Netty the agent has not seen, or a copy modified beyond relocation): the agent cannot tell
     * which of its methods send, so the channel cannot even be constructed (fail closed on the unknown).
     */
    UNKNOWN;

    static NettyLayout of(NettyTransport transport, ClassFileInventory channelClass, int fireChannelReadCalls) {
        if (!NettyMember.FILTER_OUTBOUND.declaredIn(channelClass)) {
            return UNKNOWN;
        }
        boolean closes = NettyMember.DO_DISCONNECT.declaredIn(channelClass)
                && NettyMember.DO_CLOSE.declaredIn(channelClass);
        if (transport == NettyTransport.EPOLL && fireChannelReadCalls > 0
                && NettyMember.DO_CONNECT.declaredIn(channelClass) && NettyMember.doWriteDeclaredIn(channelClass)
                && closes) {
            return TUNNELLED;
        }
        if (transport != null && transport.readsInReadLoop() && closes) {
            return TUNNELLED;
        }
        return GUARDED;
    }
}
