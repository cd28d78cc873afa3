package io.socksudp.demo.relay;

/** Why the relay threw a datagram away; the label is what the event line prints. */
public enum DropReason {
    /** A datagram on the client port from an IP other than the association's client (RFC 1928 section 7). */
    FOREIGN_HOST("foreign host"),
    /** From the client's IP but not the port the association is locked onto (or that the request named). */
    FOREIGN_PORT("foreign port"),
    /** FRAG != 0: this relay, like every real one, does not reassemble. */
    FRAGMENT("fragment"),
    /** The SOCKS UDP header could not be parsed. */
    MALFORMED("malformed header"),
    /** A domain-name destination that did not resolve. */
    UNRESOLVABLE("unresolvable destination"),
    /** Sending it on failed (unreachable network, datagram too large once wrapped, ...). */
    UNDELIVERABLE("undeliverable datagram"),
    /** A remote host sent something before the client's UDP address was known. */
    CLIENT_UNKNOWN("reply before the client's first datagram");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
