package io.socksudp.agent.socks;

import java.nio.ByteBuffer;

/**
 * Allocation-free UTF-8 length and encoding of host names, for the per-datagram path
 * ({@link UdpHeader}). Produces exactly the bytes of {@code s.getBytes(UTF_8)}, including its
 * replacement of an unpaired surrogate by {@code '?'}, so {@link SocksAddress} and
 * {@link UdpHeader} always agree on the wire form of a name.
 */
final class Utf8 {

    private Utf8() {
    }

    static int length(String s) {
        int length = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (isPairAt(s, i)) {
                length += 4;
                i++;
            } else {
                length += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return length;
    }

    /** Writes at out.position() and advances it; the caller has checked the space. */
    static void write(ByteBuffer out, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out.put((byte) c);
            } else if (c < 0x800) {
                out.put((byte) (0xC0 | (c >> 6)));
                out.put((byte) (0x80 | (c & 0x3F)));
            } else if (isPairAt(s, i)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.put((byte) (0xF0 | (cp >> 18)));
                out.put((byte) (0x80 | ((cp >> 12) & 0x3F)));
                out.put((byte) (0x80 | ((cp >> 6) & 0x3F)));
                out.put((byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                out.put((byte) '?');
            } else {
                out.put((byte) (0xE0 | (c >> 12)));
                out.put((byte) (0x80 | ((c >> 6) & 0x3F)));
                out.put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    private static boolean isPairAt(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i))
                && i + 1 < s.length()
                && Character.isLowSurrogate(s.charAt(i + 1));
    }
}
