package io.socksudp.agent.dns.message;

import java.util.Arrays;

/**
 * A resource record of an answer section (RFC 1035 section 4.1.3): owner name, type, class, TTL, and the data in the
 * form the resolver uses (the address bytes of A and AAAA, the target name of CNAME and PTR, nothing for others).
 */
public final class DnsRecord {

    private final String name;
    private final int type;
    private final int dnsClass;
    private final long ttl;
    private final byte[] address;
    private final String target;

    DnsRecord(String name, int type, int dnsClass, long ttl, byte[] address, String target) {
        this.name = name;
        this.type = type;
        this.dnsClass = dnsClass;
        this.ttl = ttl;
        this.address = address;
        this.target = target;
    }

    public String name() {
        return name;
    }

    public int type() {
        return type;
    }

    public int dnsClass() {
        return dnsClass;
    }

    /** Seconds, 0..2^31-1 (RFC 2181 section 8: a TTL with the top bit set counts as 0). */
    public long ttl() {
        return ttl;
    }

    /** A copy of the 4 (A) or 16 (AAAA) address bytes, or null for other types. */
    public byte[] address() {
        return address == null ? null : address.clone();
    }

    /** The target of a CNAME or PTR record, or null for other types. */
    public String target() {
        return target;
    }

    @Override
    public String toString() {
        String data = address != null ? Arrays.toString(address) : target != null ? target : "";
        return name + " " + ttl + " " + Dns.typeName(type) + " " + data;
    }
}
