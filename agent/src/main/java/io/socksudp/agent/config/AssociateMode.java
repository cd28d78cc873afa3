package io.socksudp.agent.config;

/**
 * What the client puts in DST.ADDR and DST.PORT of its UDP ASSOCIATE request (RFC 1928, section 7).
 * Set with the {@code associate} key.
 */
public enum AssociateMode {
    /** DST.ADDR 0.0.0.0 and DST.PORT 0: the client does not know its public address (behind NAT). The default. */
    ZERO,
    /** DST.ADDR 0.0.0.0 with the socket's real local port: for servers that insist on DST.PORT behind a port-preserving NAT. */
    PORT,
    /**
     * The address the proxy sees this host at (the control connection's local address, unless the socket is bound
     * to a specific address) with the socket's real port: when there is no NAT between client and proxy.
     */
    FULL,
    /**
     * Learned per proxy: the agent checks once which of zero, port and full gets replies delivered, and uses it
     * (see {@code association.FormLearner}).
     */
    AUTO;

    /** The value as written in configuration, e.g. {@code zero}. */
    public String configValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
