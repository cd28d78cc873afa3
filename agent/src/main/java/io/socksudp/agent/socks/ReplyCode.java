package io.socksudp.agent.socks;

/** The REP field of an RFC 1928 section 6 reply, with the RFC's own wording as message. */
public enum ReplyCode {
    SUCCEEDED(0x00, "succeeded"),
    GENERAL_FAILURE(0x01, "general SOCKS server failure"),
    NOT_ALLOWED(0x02, "connection not allowed by ruleset"),
    NETWORK_UNREACHABLE(0x03, "network unreachable"),
    HOST_UNREACHABLE(0x04, "host unreachable"),
    CONNECTION_REFUSED(0x05, "connection refused"),
    TTL_EXPIRED(0x06, "TTL expired"),
    COMMAND_NOT_SUPPORTED(0x07, "command not supported"),
    ADDRESS_TYPE_NOT_SUPPORTED(0x08, "address type not supported"),
    /** X'09' to X'FF' are "unassigned" in RFC 1928; {@link #code()} is -1 as it stands for many. */
    UNASSIGNED(-1, "unassigned reply code");

    private static final ReplyCode[] ASSIGNED = {
        SUCCEEDED, GENERAL_FAILURE, NOT_ALLOWED, NETWORK_UNREACHABLE, HOST_UNREACHABLE,
        CONNECTION_REFUSED, TTL_EXPIRED, COMMAND_NOT_SUPPORTED, ADDRESS_TYPE_NOT_SUPPORTED,
    };

    private final int code;
    private final String message;

    ReplyCode(int code, String message) {
        this.code = code;
        this.message = message;
    }

    /**
     * @param rep 0..255
     * @throws IllegalArgumentException if rep is not an octet
     */
    public static ReplyCode of(int rep) {
        Wire.checkOctet("REP", rep);
        return rep < ASSIGNED.length ? ASSIGNED[rep] : UNASSIGNED;
    }

    /** "general SOCKS server failure (REP 0x01)", "unassigned reply code (REP 0x2a)". */
    public static String describe(int rep) {
        return of(rep).message + " (REP " + Wire.hex(rep) + ")";
    }

    /** The REP value, or -1 for {@link #UNASSIGNED}. */
    public int code() {
        return code;
    }

    public String message() {
        return message;
    }
}
