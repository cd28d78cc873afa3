package io.socksudp.agent.dns.message;

import java.util.Locale;

/**
 * Domain names between their text form and RFC 1035's wire form (section 3.1, compression section 4.1.4).
 *
 * <p>Text form: labels joined by dots, without the trailing root dot; a byte of a received label that is a dot, a
 * backslash or not printable ASCII is written {@code \DDD} (the master-file escape of section 5.1), so that every
 * wire name has exactly one text form. Names to be sent must be printable ASCII without escapes: anything else is
 * refused rather than guessed at.
 */
public final class DnsName {

    /** Hops through compression pointers in one name; each must point strictly backwards, so this is a backstop. */
    private static final int MAX_POINTERS = 127;

    private DnsName() {
    }

    /**
     * The wire form of {@code name} (one trailing root dot allowed). Throws IllegalArgumentException naming the
     * problem for an empty label, a label over 63 bytes, a name over 255 bytes, or a character outside printable
     * ASCII.
     */
    public static byte[] encode(String name) {
        String n = name.endsWith(".") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.equals(".")) {
            throw new IllegalArgumentException("the name is empty");
        }
        byte[] out = new byte[n.length() + 2];
        int lengthAt = 0;
        int pos = 1;
        for (int i = 0; i <= n.length(); i++) {
            if (i == n.length() || n.charAt(i) == '.') {
                int length = pos - lengthAt - 1;
                if (length == 0) {
                    throw new IllegalArgumentException("the name has an empty label");
                }
                if (length > Dns.MAX_LABEL_LENGTH) {
                    throw new IllegalArgumentException("a label is longer than 63 bytes");
                }
                out[lengthAt] = (byte) length;
                lengthAt = pos++;
                continue;
            }
            char c = n.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '\\') {
                throw new IllegalArgumentException("the name has a character that is not printable ASCII");
            }
            out[pos++] = (byte) c;
        }
        out[out.length - 1] = 0;
        if (out.length > Dns.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("the name is longer than 255 bytes");
        }
        return out;
    }

    /**
     * Reads the name at {@code offset} of the message {@code msg[0, end)}, following compression pointers, into
     * {@code text} (cleared first). Returns the offset just after the name where it starts (after its first pointer,
     * if any).
     */
    public static int read(byte[] msg, int offset, int end, StringBuilder text) throws DnsFormatException {
        text.setLength(0);
        int pos = offset;
        int next = -1;
        int wireLength = 1;
        int pointers = 0;
        int lowestSeen = offset;
        while (true) {
            if (pos >= end) {
                throw new DnsFormatException("a name runs past the end of the message");
            }
            int length = msg[pos] & 0xFF;
            if ((length & 0xC0) == 0xC0) {
                if (pos + 1 >= end) {
                    throw new DnsFormatException("a compression pointer runs past the end of the message");
                }
                int target = ((length & 0x3F) << 8) | (msg[pos + 1] & 0xFF);
                if (target >= lowestSeen || ++pointers > MAX_POINTERS) {
                    throw new DnsFormatException("a compression pointer does not point backwards (loop)");
                }
                if (next < 0) {
                    next = pos + 2;
                }
                lowestSeen = target;
                pos = target;
                continue;
            }
            if ((length & 0xC0) != 0) {
                throw new DnsFormatException("a label has the reserved type bits " + (length >> 6));
            }
            if (length == 0) {
                return next >= 0 ? next : pos + 1;
            }
            if (pos + 1 + length > end) {
                throw new DnsFormatException("a label runs past the end of the message");
            }
            wireLength += 1 + length;
            if (wireLength > Dns.MAX_NAME_LENGTH) {
                throw new DnsFormatException("a name is longer than 255 bytes");
            }
            if (text.length() > 0) {
                text.append('.');
            }
            for (int i = pos + 1; i <= pos + length; i++) {
                int b = msg[i] & 0xFF;
                if (b <= 0x20 || b >= 0x7F || b == '.' || b == '\\') {
                    text.append('\\').append((char) ('0' + b / 100)).append((char) ('0' + b / 10 % 10))
                            .append((char) ('0' + b % 10));
                } else {
                    text.append((char) b);
                }
            }
            pos += 1 + length;
        }
    }

    /** DNS compares names without regard to ASCII case (RFC 4343). */
    public static boolean equal(String a, String b) {
        return a.equalsIgnoreCase(b);
    }

    /** The text form in lower case, for maps keyed by name. */
    public static String key(String name) {
        String n = name.endsWith(".") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }

    /**
     * The reverse-lookup name of an address (RFC 1035 section 3.5, RFC 3596 section 2.5): {@code 4.3.2.1.in-addr.arpa}
     * for 1.2.3.4, the nibbles of an IPv6 address in reverse under {@code ip6.arpa}.
     */
    public static String reverse(byte[] address) {
        StringBuilder sb = new StringBuilder(72);
        if (address.length == 4) {
            for (int i = 3; i >= 0; i--) {
                sb.append(address[i] & 0xFF).append('.');
            }
            return sb.append("in-addr.arpa").toString();
        }
        if (address.length == 16) {
            String hex = "0123456789abcdef";
            for (int i = 15; i >= 0; i--) {
                sb.append(hex.charAt(address[i] & 0x0F)).append('.').append(hex.charAt((address[i] >> 4) & 0x0F))
                        .append('.');
            }
            return sb.append("ip6.arpa").toString();
        }
        throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
    }
}
