package io.socksudp.agent.socks;

import java.nio.ByteBuffer;

/**
 * RFC 1928 section 3: the client's greeting ({@code VER NMETHODS METHODS}) and the server's
 * method selection ({@code VER METHOD}).
 */
public final class MethodNegotiation {

    private MethodNegotiation() {
    }

    /**
     * Writes {@code VER NMETHODS METHODS}.
     *
     * @param methods 1..255 method codes, each 0..255, in the client's order of preference
     * @throws IllegalArgumentException on a bad method list
     * @throws java.nio.BufferOverflowException if it does not fit; nothing is written then
     */
    public static void encodeGreeting(ByteBuffer out, int... methods) {
        Wire.requireNonNull(methods, "methods");
        if (methods.length < 1 || methods.length > 255) {
            throw new IllegalArgumentException("greeting must offer 1..255 methods, got " + methods.length);
        }
        for (int method : methods) {
            Wire.checkOctet("method", method);
        }
        Wire.ensureRemaining(out, 2 + methods.length);
        out.put((byte) Socks5.VERSION);
        out.put((byte) methods.length);
        for (int method : methods) {
            out.put((byte) method);
        }
    }

    /**
     * Reads {@code VER METHOD}.
     *
     * @return the selected method 0..255, including {@link Socks5#NO_ACCEPTABLE_METHODS}: whether
     *     the choice is acceptable is the caller's decision; null if incomplete
     * @throws SocksProtocolException if VER is not 5
     */
    public static Integer decodeSelection(ByteBuffer in) throws SocksProtocolException {
        int start = in.position();
        if (in.limit() - start < 1) {
            return null;
        }
        checkVersion("method selection", Wire.u8(in, start), Socks5.VERSION);
        if (in.limit() - start < 2) {
            return null;
        }
        int method = Wire.u8(in, start + 1);
        in.position(start + 2);
        return method;
    }

    /** Also used by the other decoders: one wording for every version mismatch. */
    static void checkVersion(String message, int actual, int expected) throws SocksProtocolException {
        if (actual != expected) {
            throw new SocksProtocolException(message + " has version " + actual + ", expected " + expected);
        }
    }
}
