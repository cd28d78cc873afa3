package io.socksudp.agent.dns.message;

/**
 * A standard query (RFC 1035 section 4.1): one question of class IN, recursion desired, no EDNS0 (so a UDP answer
 * is at most 512 bytes, and a larger one comes back truncated, to be asked again over TCP).
 */
public final class DnsQuery {

    private DnsQuery() {
    }

    /**
     * The query message for {@code name} and {@code type} with transaction {@code id} (0..65535); throws
     * IllegalArgumentException when the name cannot be sent (see {@link DnsName#encode}).
     */
    public static byte[] encode(int id, String name, int type) {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("id must be 0..65535, was " + id);
        }
        byte[] qname = DnsName.encode(name);
        byte[] msg = new byte[Dns.HEADER_LENGTH + qname.length + 4];
        msg[0] = (byte) (id >>> 8);
        msg[1] = (byte) id;
        msg[2] = 0x01; // QR=0 (query), OPCODE=0, AA=0, TC=0, RD=1
        msg[3] = 0x00; // RA=0, Z=0, RCODE=0
        msg[5] = 1; // QDCOUNT=1; ANCOUNT, NSCOUNT, ARCOUNT=0
        System.arraycopy(qname, 0, msg, Dns.HEADER_LENGTH, qname.length);
        int p = Dns.HEADER_LENGTH + qname.length;
        msg[p] = (byte) (type >>> 8);
        msg[p + 1] = (byte) type;
        msg[p + 2] = 0;
        msg[p + 3] = (byte) Dns.CLASS_IN;
        return msg;
    }

    /** As a TCP message: the same prefixed by its two-byte length (RFC 1035 section 4.2.2). */
    public static byte[] forTcp(byte[] message) {
        byte[] out = new byte[message.length + 2];
        out[0] = (byte) (message.length >>> 8);
        out[1] = (byte) message.length;
        System.arraycopy(message, 0, out, 2, message.length);
        return out;
    }
}
