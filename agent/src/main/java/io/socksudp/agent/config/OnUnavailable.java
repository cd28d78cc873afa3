package io.socksudp.agent.config;

/**
 * What a send does while no UDP association with the proxy can be had.
 * Set with the {@code onUnavailable} key.
 */
public enum OnUnavailable {
    /** The send throws an IOException. The default. */
    FAIL,
    /** The datagram is silently dropped (and counted), as UDP may lose datagrams anyway. */
    DROP;

    /** The value as written in configuration, e.g. {@code fail}. */
    public String configValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
