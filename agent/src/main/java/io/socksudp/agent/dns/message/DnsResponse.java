package io.socksudp.agent.dns.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A response as the stub resolver reads it: header, the one question it echoes, and the answer section (authority
 * and additional sections are not needed and not parsed beyond the header's counts).
 */
public final class DnsResponse {

    private final int id;
    private final boolean truncated;
    private final int rcode;
    private final String questionName;
    private final int questionType;
    private final int questionClass;
    private final List<DnsRecord> answers;

    private DnsResponse(int id, boolean truncated, int rcode, String questionName, int questionType,
                        int questionClass, List<DnsRecord> answers) {
        this.id = id;
        this.truncated = truncated;
        this.rcode = rcode;
        this.questionName = questionName;
        this.questionType = questionType;
        this.questionClass = questionClass;
        this.answers = answers;
    }

    /**
     * Parses {@code msg[offset, offset + length)}. A message that is not a response (QR=0), is not a standard query's
     * answer (OPCODE != 0), or does not hold exactly one question is refused like a malformed one. A truncated
     * response (TC=1) may end anywhere after its question: its answers are then whatever fits and should not be used.
     */
    public static DnsResponse decode(byte[] msg, int offset, int length) throws DnsFormatException {
        if (offset != 0) {
            byte[] copy = new byte[length];
            System.arraycopy(msg, offset, copy, 0, length);
            return decode(copy, 0, length);
        }
        int end = length;
        if (end < Dns.HEADER_LENGTH) {
            throw new DnsFormatException("a message of " + end + " bytes is shorter than the 12-byte header");
        }
        int id = u16(msg, 0);
        int flags = u16(msg, 2);
        if ((flags & 0x8000) == 0) {
            throw new DnsFormatException("the message is a query, not a response");
        }
        if (((flags >> 11) & 0x0F) != 0) {
            throw new DnsFormatException("the response has OPCODE " + ((flags >> 11) & 0x0F) + ", not 0 (QUERY)");
        }
        boolean truncated = (flags & 0x0200) != 0;
        int rcode = flags & 0x0F;
        int qdcount = u16(msg, 4);
        int ancount = u16(msg, 6);
        if (qdcount != 1) {
            throw new DnsFormatException("the response has " + qdcount + " questions, not 1");
        }
        StringBuilder name = new StringBuilder();
        int p = DnsName.read(msg, Dns.HEADER_LENGTH, end, name);
        if (p + 4 > end) {
            throw new DnsFormatException("the question runs past the end of the message");
        }
        String questionName = name.toString();
        int questionType = u16(msg, p);
        int questionClass = u16(msg, p + 2);
        p += 4;
        List<DnsRecord> answers = new ArrayList<DnsRecord>(Math.min(ancount, 64));
        for (int i = 0; i < ancount; i++) {
            if (truncated && p >= end) {
                break; // what did not fit was cut off, as TC says
            }
            p = DnsName.read(msg, p, end, name);
            if (p + 10 > end) {
                throw new DnsFormatException("a record header runs past the end of the message");
            }
            int type = u16(msg, p);
            int dnsClass = u16(msg, p + 2);
            long ttl = ((long) u16(msg, p + 4) << 16) | u16(msg, p + 6);
            if (ttl > Integer.MAX_VALUE) {
                ttl = 0;
            }
            int rdlength = u16(msg, p + 8);
            int rdata = p + 10;
            if (rdata + rdlength > end) {
                throw new DnsFormatException("a record's data runs past the end of the message");
            }
            byte[] address = null;
            String target = null;
            if (dnsClass == Dns.CLASS_IN && (type == Dns.TYPE_A || type == Dns.TYPE_AAAA)) {
                int expected = type == Dns.TYPE_A ? 4 : 16;
                if (rdlength != expected) {
                    throw new DnsFormatException("an " + Dns.typeName(type) + " record has " + rdlength
                            + " data bytes, not " + expected);
                }
                address = new byte[expected];
                System.arraycopy(msg, rdata, address, 0, expected);
            } else if (type == Dns.TYPE_CNAME || type == Dns.TYPE_PTR) {
                StringBuilder t = new StringBuilder();
                int after = DnsName.read(msg, rdata, rdata + rdlength, t);
                if (after != rdata + rdlength) {
                    throw new DnsFormatException("a " + Dns.typeName(type) + " record has bytes after its name");
                }
                target = t.toString();
            }
            answers.add(new DnsRecord(name.toString(), type, dnsClass, ttl, address, target));
            p = rdata + rdlength;
        }
        return new DnsResponse(id, truncated, rcode, questionName, questionType, questionClass,
                Collections.unmodifiableList(answers));
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    public int id() {
        return id;
    }

    /** TC: the answer did not fit (RFC 1035 section 4.1.1); ask again over TCP. */
    public boolean truncated() {
        return truncated;
    }

    public int rcode() {
        return rcode;
    }

    public String questionName() {
        return questionName;
    }

    public int questionType() {
        return questionType;
    }

    public int questionClass() {
        return questionClass;
    }

    public List<DnsRecord> answers() {
        return answers;
    }

    /** Whether this answers exactly the question asked: the same name (any case), type and class IN. */
    public boolean answers(String name, int type) {
        return questionType == type && questionClass == Dns.CLASS_IN && DnsName.equal(questionName, DnsName.key(name));
    }

    /**
     * The addresses of {@code type} (A or AAAA) for {@code name}, following CNAME records within the answer (at most
     * 16 hops), in the order the server gave them.
     */
    public List<byte[]> addresses(String name, int type) {
        String owner = cnameTarget(DnsName.key(name));
        List<byte[]> result = new ArrayList<byte[]>();
        for (DnsRecord r : answers) {
            if (r.type() == type && r.dnsClass() == Dns.CLASS_IN && DnsName.equal(r.name(), owner)) {
                result.add(r.address());
            }
        }
        return result;
    }

    /** The first PTR target for {@code name} (following CNAMEs, as RFC 2317 delegations use), or null. */
    public String pointer(String name) {
        String owner = cnameTarget(DnsName.key(name));
        for (DnsRecord r : answers) {
            if (r.type() == Dns.TYPE_PTR && DnsName.equal(r.name(), owner)) {
                return r.target();
            }
        }
        return null;
    }

    private String cnameTarget(String name) {
        String owner = name;
        for (int hop = 0; hop < 16; hop++) {
            String next = null;
            for (DnsRecord r : answers) {
                if (r.type() == Dns.TYPE_CNAME && DnsName.equal(r.name(), owner)) {
                    next = r.target();
                    break;
                }
            }
            if (next == null) {
                return owner;
            }
            owner = next;
        }
        return owner;
    }
}
