package io.socksudp.agent.dns.message;

/** Numbers of RFC 1035 (and RFC 3596 for AAAA) that the stub resolver uses. */
public final class Dns {

    private Dns() {
    }

    public static final int HEADER_LENGTH = 12;
    /** RFC 1035 section 4.2.1: the largest UDP message without EDNS0; a larger answer comes back truncated. */
    public static final int MAX_UDP_LENGTH = 512;
    /** Section 2.3.4: a name is at most 255 bytes on the wire, a label at most 63. */
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_LABEL_LENGTH = 63;

    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_PTR = 12;
    public static final int TYPE_AAAA = 28;
    public static final int CLASS_IN = 1;

    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_FORMERR = 1;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;
    public static final int RCODE_NOTIMP = 4;
    public static final int RCODE_REFUSED = 5;

    /** E.g. "A", "AAAA", "PTR", or the number. */
    public static String typeName(int type) {
        switch (type) {
            case TYPE_A:
                return "A";
            case TYPE_CNAME:
                return "CNAME";
            case TYPE_PTR:
                return "PTR";
            case TYPE_AAAA:
                return "AAAA";
            default:
                return "TYPE" + type;
        }
    }

    /** E.g. "NXDOMAIN (no such name)". */
    public static String rcodeName(int rcode) {
        switch (rcode) {
            case RCODE_NOERROR:
                return "NOERROR";
            case RCODE_FORMERR:
                return "FORMERR (the server could not read the query)";
            case RCODE_SERVFAIL:
                return "SERVFAIL (server failure)";
            case RCODE_NXDOMAIN:
                return "NXDOMAIN (no such name)";
            case RCODE_NOTIMP:
                return "NOTIMP (not implemented)";
            case RCODE_REFUSED:
                return "REFUSED";
            default:
                return "RCODE " + rcode;
        }
    }
}
