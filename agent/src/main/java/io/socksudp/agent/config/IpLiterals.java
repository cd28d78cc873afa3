package io.socksudp.agent.config;

/**
 * Parsing and formatting of IP address literals without any name service. Package-private.
 *
 * <p>An IPv6 address is held as two longs, {@code hi} (groups 0..3) and {@code lo} (groups 4..7).
 * The parser accepts every RFC 4291 text form (full, {@code ::}-compressed, upper or lower case,
 * with an embedded dotted IPv4 tail) and allocates nothing when used through
 * {@link #ipv6EqualsAny}.
 */
final class IpLiterals {
    private IpLiterals() {
    }

    /** Is {@code s} (without brackets or scope id) an IPv6 literal? */
    static boolean isIpv6(String s) {
        return parseIpv6(s, 0, s.length(), new long[2], null, null) >= 0;
    }

    /** Parses an IPv6 literal (without brackets or scope id) into {hi, lo}, or null if it is none. */
    static long[] parseIpv6(String s) {
        long[] out = new long[2];
        return parseIpv6(s, 0, s.length(), out, null, null) >= 0 ? out : null;
    }

    /**
     * Parses {@code text} as an IPv6 literal, tolerating surrounding brackets and a {@code %scope}
     * suffix, and returns whether it equals any of the given addresses. Allocates nothing.
     */
    static boolean ipv6EqualsAny(String text, long[] his, long[] los) {
        int from = 0;
        int to = text.length();
        if (to >= 2 && text.charAt(0) == '[' && text.charAt(to - 1) == ']') {
            from = 1;
            to--;
        }
        to = scopeStart(text, from, to);
        return parseIpv6(text, from, to, null, his, los) >= 0;
    }

    /** The index of a {@code %scope} suffix in {@code text[from, to)}, or {@code to} if there is none. */
    static int scopeStart(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '%') {
                return i;
            }
        }
        return to;
    }

    /**
     * The parser. If {@code out} is not null, stores {hi, lo} there and returns 0 on success.
     * Otherwise returns the index of the first of {@code his/los} equal to the parsed address.
     * Returns -1 if the text is no IPv6 literal or (compare mode) nothing is equal.
     */
    private static int parseIpv6(String s, int from, int to, long[] out, long[] his, long[] los) {
        if (to - from < 2) {
            return -1;
        }
        long hi = 0;
        long lo = 0;
        long headHi = 0;
        long headLo = 0;
        int groups = 0;
        int doubleColonAt = -1;
        int i = from;
        if (s.charAt(i) == ':') {
            if (s.charAt(i + 1) != ':') {
                return -1;
            }
            doubleColonAt = 0;
            i += 2;
        }
        while (i < to) {
            int start = i;
            int value = 0;
            int digits = 0;
            while (i < to && digits < 5) {
                int d = Character.digit(s.charAt(i), 16);
                if (d < 0) {
                    break;
                }
                value = value * 16 + d;
                digits++;
                i++;
            }
            if (i < to && s.charAt(i) == '.') {
                int v4 = parseIpv4(s, start, to);
                if (v4 == -1 && !isIpv4(s, start, to)) {
                    return -1;
                }
                hi = (hi << 32) | (lo >>> 32);
                lo = (lo << 32) | (v4 & 0xFFFFFFFFL);
                groups += 2;
                i = to;
                break;
            }
            if (digits == 0 || digits > 4) {
                return -1;
            }
            hi = (hi << 16) | (lo >>> 48);
            lo = (lo << 16) | value;
            groups++;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != ':') {
                return -1;
            }
            i++;
            if (i == to) {
                return -1;
            }
            if (s.charAt(i) == ':') {
                if (doubleColonAt >= 0) {
                    return -1;
                }
                doubleColonAt = groups;
                headHi = hi;
                headLo = lo;
                hi = 0;
                lo = 0;
                i++;
            }
        }
        if (doubleColonAt >= 0) {
            if (groups > 7) {
                return -1;
            }
            // the head groups move to the top: shift them left past the 8 - doubleColonAt groups after them
            for (int k = doubleColonAt; k < 8; k++) {
                headHi = (headHi << 16) | (headLo >>> 48);
                headLo <<= 16;
            }
            hi |= headHi;
            lo |= headLo;
        } else if (groups != 8) {
            return -1;
        }
        if (out != null) {
            out[0] = hi;
            out[1] = lo;
            return 0;
        }
        for (int k = 0; k < his.length; k++) {
            if (his[k] == hi && los[k] == lo) {
                return k;
            }
        }
        return -1;
    }

    /**
     * The network-order bytes of an IPv4 dotted quad or an IPv6 literal (without brackets or scope id), or null if
     * {@code s} is neither. Never consults a name service.
     */
    static byte[] toBytes(String s) {
        if (isIpv4(s)) {
            int v = parseIpv4(s, 0, s.length());
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        long[] v6 = parseIpv6(s);
        if (v6 == null) {
            return null;
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v6[0] >>> (56 - 8 * i));
            b[8 + i] = (byte) (v6[1] >>> (56 - 8 * i));
        }
        return b;
    }

    /** Is {@code s} a dotted-quad IPv4 literal (four decimal parts 0..255)? */
    static boolean isIpv4(String s) {
        return isIpv4(s, 0, s.length());
    }

    private static boolean isIpv4(String s, int from, int to) {
        int parts = 0;
        int i = from;
        while (true) {
            int value = 0;
            int digits = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && digits < 4) {
                value = value * 10 + (s.charAt(i) - '0');
                digits++;
                i++;
            }
            if (digits == 0 || digits > 3 || value > 255) {
                return false;
            }
            parts++;
            if (i == to) {
                return parts == 4;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return false;
            }
            i++;
        }
    }

    /** The IPv4 value of {@code s[from, to)}; -1 is also returned for 255.255.255.255, so check {@link #isIpv4}. */
    private static int parseIpv4(String s, int from, int to) {
        if (!isIpv4(s, from, to)) {
            return -1;
        }
        int result = 0;
        int part = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                result = (result << 8) | part;
                part = 0;
            } else {
                part = part * 10 + (c - '0');
            }
        }
        return (result << 8) | part;
    }

    private static int group(long hi, long lo, int index) {
        long half = index < 4 ? hi : lo;
        return (int) ((half >>> (16 * (3 - (index & 3)))) & 0xFFFF);
    }

    /** RFC 5952 text: lower case, no leading zeros, the longest run (of two or more) of zero groups as {@code ::}. */
    static String compressed(long hi, long lo) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (group(hi, lo, i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && group(hi, lo, j) == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(hi, lo, i)));
        }
        return sb.toString();
    }

    /** The form of {@link java.net.Inet6Address#getHostAddress()} (without scope): eight lower-case groups. */
    static String full(long hi, long lo) {
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(hi, lo, i)));
        }
        return sb.toString();
    }
}
