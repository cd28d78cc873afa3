package io.socksudp.agent.socks;

/** Numeric constants of SOCKS version 5 (RFC 1928) and its password sub-negotiation (RFC 1929). */
public final class Socks5 {

    /** VER field of every RFC 1928 message. */
    public static final int VERSION = 0x05;

    // RFC 1928 section 3: authentication METHOD values.
    public static final int NO_AUTH = 0x00;
    public static final int GSSAPI = 0x01;
    public static final int USERNAME_PASSWORD = 0x02;
    /** The server's answer when none of the offered methods is acceptable. */
    public static final int NO_ACCEPTABLE_METHODS = 0xFF;

    // RFC 1928 section 4: CMD values are the enum Command.

    // RFC 1928 section 5: ATYP values.
    public static final int ATYP_IPV4 = 0x01;
    public static final int ATYP_DOMAIN = 0x03;
    public static final int ATYP_IPV6 = 0x04;

    /** RFC 1929 section 2: VER of the username/password sub-negotiation (not 5!). */
    public static final int PASSWORD_AUTH_VERSION = 0x01;

    private Socks5() {
    }
}
