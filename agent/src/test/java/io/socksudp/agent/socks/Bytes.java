package io.socksudp.agent.socks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/** Test support: hand-written byte vectors and the decoder contract checks every codec shares. */
final class Bytes {

    /** Bytes put before a message so that no test accidentally relies on position 0. */
    static final int LEAD = 3;
    private static final int TRAIL = 2;

    private Bytes() {
    }

    /** A literal byte vector: {@code bytes(0x05, 0x01, 0x00)}. */
    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 0xFF) {
                throw new IllegalArgumentException("not an octet: " + values[i]);
            }
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    static byte[] repeat(int octet, int count) {
        byte[] out = new byte[count];
        Arrays.fill(out, (byte) octet);
        return out;
    }

    static byte[] ascii(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) s.charAt(i);
        }
        return out;
    }

    /** LEAD filler bytes, the message, TRAIL more filler bytes; position at the message. */
    static ByteBuffer embedded(byte[] message, int messageBytes) {
        ByteBuffer buf = ByteBuffer.allocate(LEAD + message.length + TRAIL);
        buf.put(repeat(0xEE, LEAD)).put(message).put(repeat(0xDD, TRAIL));
        buf.position(LEAD);
        buf.limit(LEAD + messageBytes);
        return buf;
    }

    /** What an encoder writes, starting at a non-zero position of a roomy buffer. */
    static byte[] written(Consumer<ByteBuffer> encoder) {
        ByteBuffer buf = ByteBuffer.allocate(LEAD + 1024);
        buf.position(LEAD);
        encoder.accept(buf);
        return Arrays.copyOfRange(buf.array(), LEAD, buf.position());
    }

    interface Decoder<T> {
        T decode(ByteBuffer in) throws IOException;
    }

    /** Decodes a complete message followed by unrelated bytes; checks exactly it was consumed. */
    static <T> T decodeComplete(Decoder<T> decoder, byte[] message) throws IOException {
        ByteBuffer buf = embedded(message, message.length + TRAIL);
        int limit = buf.limit();
        T result = decoder.decode(buf);
        assertEquals(LEAD + message.length, buf.position(), "position after a complete message");
        assertEquals(limit, buf.limit(), "limit");
        return result;
    }

    /** Every proper prefix of a valid message is "not yet": null, position and limit untouched. */
    static void assertEveryTruncationIsIncomplete(Decoder<?> decoder, byte[] message) throws IOException {
        for (int length = 0; length < message.length; length++) {
            ByteBuffer buf = embedded(message, length);
            assertNull(decoder.decode(buf), "prefix of " + length + " bytes");
            assertEquals(LEAD, buf.position(), "position after prefix of " + length + " bytes");
            assertEquals(LEAD + length, buf.limit(), "limit after prefix of " + length + " bytes");
        }
    }

    /** The decoder rejects the bytes and leaves the position alone. */
    static SocksProtocolException assertMalformed(final Decoder<?> decoder, byte[] message) {
        final ByteBuffer buf = embedded(message, message.length);
        SocksProtocolException e = assertThrows(SocksProtocolException.class, () -> decoder.decode(buf));
        assertEquals(LEAD, buf.position(), "position after a malformed message");
        return e;
    }

    /** An encoder given one byte too few throws BufferOverflowException and writes nothing. */
    static void assertOverflowWritesNothing(Consumer<ByteBuffer> encoder, int messageLength) {
        ByteBuffer buf = ByteBuffer.allocate(LEAD + messageLength - 1);
        buf.position(LEAD);
        assertThrows(java.nio.BufferOverflowException.class, () -> encoder.accept(buf));
        assertEquals(LEAD, buf.position(), "position after overflow");
        assertArrayEquals0(new byte[messageLength - 1], Arrays.copyOfRange(buf.array(), LEAD, buf.capacity()));
    }

    private static void assertArrayEquals0(byte[] expected, byte[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new AssertionError("encoder wrote part of a message that did not fit: " + Arrays.toString(actual));
        }
    }
}
