package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.ClassFileInventory;

/**
 * What the agent can do with one Netty native datagram channel class, decided from the members its class file
 * declares (never from a version string: shaded copies carry none, and a new Netty may change its internals in a
 * patch release).
 */
enum NettyLayout {
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

    static NettyLayout of(ClassFileInventory channelClass) {
        return NettyMember.FILTER_OUTBOUND.declaredIn(channelClass) ? GUARDED : UNKNOWN;
    }
}
