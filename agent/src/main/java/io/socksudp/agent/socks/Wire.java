package io.socksudp.agent.socks;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/** Small helpers shared by the codecs: unsigned absolute reads and input checks. */
final class Wire {

    private Wire() {
    }

    /** Unsigned byte at an absolute index; does not move the position. */
    static int u8(ByteBuffer buf, int index) {
        return buf.get(index) & 0xFF;
    }

    /** Unsigned big-endian ("network order", RFC 1928 section 5) short at an absolute index. */
    static int u16(ByteBuffer buf, int index) {
        return ((buf.get(index) & 0xFF) << 8) | (buf.get(index + 1) & 0xFF);
    }

    /** Big-endian whatever the buffer's {@link ByteBuffer#order()}: the wire is network order. */
    static void putU16(ByteBuffer out, int value) {
        out.put((byte) (value >>> 8));
        out.put((byte) value);
    }

    static void putInt32(ByteBuffer out, int value) {
        out.put((byte) (value >>> 24));
        out.put((byte) (value >>> 16));
        out.put((byte) (value >>> 8));
        out.put((byte) value);
    }

    /** Checked before writing anything, so a too-small buffer never receives half a message. */
    static void ensureRemaining(ByteBuffer out, int length) {
        if (out.remaining() < length) {
            throw new BufferOverflowException();
        }
    }

    static void checkOctet(String what, int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException(what + " must be 0..255, was " + value);
        }
    }

    static void checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
    }

    static <T> T requireNonNull(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return value;
    }

    static String hex(int octet) {
        String digits = Integer.toHexString(octet);
        return digits.length() == 1 ? "0x0" + digits : "0x" + digits;
    }
}
