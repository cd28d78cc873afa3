package io.socksudp.agent.dns;

/**
 * Which address families a forward look-up returns, and in which order: what the JDK's own resolver would do for
 * the same settings. JDK 18+ says it in each look-up (its {@code LookupPolicy}); on JDK 8 to 17 it comes from the
 * same system properties the JDK reads ({@link #fromSystemProperties}).
 */
public enum AddressOrder {
    IPV4_ONLY(true, false, false),
    IPV6_ONLY(false, true, true),
    IPV4_FIRST(true, true, false),
    IPV6_FIRST(true, true, true);

    private final boolean ipv4;
    private final boolean ipv6;
    private final boolean ipv6First;

    AddressOrder(boolean ipv4, boolean ipv6, boolean ipv6First) {
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.ipv6First = ipv6First;
    }

    public boolean ipv4() {
        return ipv4;
    }

    public boolean ipv6() {
        return ipv6;
    }

    public boolean ipv6First() {
        return ipv6First;
    }

    /**
     * JDK 8 to 17: {@code java.net.preferIPv4Stack=true} means IPv4 only; {@code java.net.preferIPv6Addresses=true}
     * IPv6 addresses first; anything else ({@code false}, unset, and {@code system}, for which the agent cannot ask
     * the operating system's address selection about names it resolved itself) IPv4 first.
     */
    public static AddressOrder fromSystemProperties() {
        if (Boolean.parseBoolean(System.getProperty("java.net.preferIPv4Stack"))) {
            return IPV4_ONLY;
        }
        return "true".equalsIgnoreCase(System.getProperty("java.net.preferIPv6Addresses")) ? IPV6_FIRST : IPV4_FIRST;
    }

    /**
     * JDK 18+: from a {@code LookupPolicy}'s characteristics (IPV4 = 1, IPV6 = 2, IPV4_FIRST = 4, IPV6_FIRST = 8).
     * With both families and neither FIRST flag (the JDK's {@code system} setting), IPv4 first, as on older JDKs.
     */
    public static AddressOrder fromCharacteristics(int characteristics) {
        boolean v4 = (characteristics & 1) != 0;
        boolean v6 = (characteristics & 2) != 0;
        if (v4 && !v6) {
            return IPV4_ONLY;
        }
        if (v6 && !v4) {
            return IPV6_ONLY;
        }
        return (characteristics & 8) != 0 ? IPV6_FIRST : IPV4_FIRST;
    }
}
