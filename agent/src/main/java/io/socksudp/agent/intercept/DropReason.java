package io.socksudp.agent.intercept;

/** Why a datagram was dropped: received ones not handed to the application, and discarded sends. */
public enum DropReason {
    /** Sent while no association could be had, and the user chose to drop such datagrams (onUnavailable). */
    PROXY_UNAVAILABLE("sent while no association could be had (onUnavailable=drop)"),
    /** Neither from the relay nor from a source the bypass list lets through: a stray or spoofed datagram. */
    NOT_FROM_RELAY("not from the relay"),
    /** Relayed from a peer other than the one a connected socket is connected to. */
    NOT_FROM_PEER("not from the connected peer"),
    /** From the relay, but its SOCKS5 UDP header is truncated or invalid. */
    MALFORMED("malformed SOCKS5 UDP header"),
    /** From the relay with FRAG != 0: fragmentation is optional in RFC 1928 and not supported. */
    FRAGMENTED("fragmented (FRAG != 0)"),
    /** From the relay with an ATYP other than 1, 3 or 4. */
    BAD_ADDRESS_TYPE("unknown address type"),
    /**
     * From the relay, naming its sender by host name (ATYP 3, legal in RFC 1928): no DatagramPacket or channel
     * can report an unresolved sender, and resolving a name the relay chose would be a DNS lookup under the
     * proxy's control. Dropped on every API alike.
     */
    NAMED_SENDER("the relay named the sender by host name (ATYP 3), which is never resolved");

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
