package io.socksudp.agent.socks;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * RFC 1929 username/password sub-negotiation, run after the server selected
 * {@link Socks5#USERNAME_PASSWORD}. Its VER is 1 ({@link Socks5#PASSWORD_AUTH_VERSION}), not 5.
 *
 * <p>The password never appears in an exception message or a {@code toString()}.
 */
public final class PasswordAuth {

    private static final Charset UTF_8 = Charset.forName("UTF-8");

    private PasswordAuth() {
    }

    /**
     * Writes {@code VER ULEN UNAME PLEN PASSWD} (RFC 1929 section 2).
     *
     * @param username 1..255 bytes
     * @param password 1..255 bytes
     * @throws IllegalArgumentException if either is null or its length is out of range
     * @throws java.nio.BufferOverflowException if it does not fit; nothing is written then
     */
    public static void encodeRequest(ByteBuffer out, byte[] username, byte[] password) {
        if (username == null || username.length < 1 || username.length > 255) {
            throw new IllegalArgumentException("username must be 1..255 bytes, was "
                    + (username == null ? "null" : username.length + " bytes"));
        }
        // No length either: even that says something about a secret.
        if (password == null || password.length < 1 || password.length > 255) {
            throw new IllegalArgumentException("password must be 1..255 bytes");
        }
        Wire.ensureRemaining(out, 3 + username.length + password.length);
        out.put((byte) Socks5.PASSWORD_AUTH_VERSION);
        out.put((byte) username.length);
        out.put(username);
        out.put((byte) password.length);
        out.put(password);
    }

    /**
     * Reads {@code VER STATUS} (RFC 1929 section 2).
     *
     * @return true if STATUS is 0 (success), false for any other status; null if incomplete
     * @throws SocksProtocolException if VER is not 1
     */
    public static Boolean decodeResponse(ByteBuffer in) throws SocksProtocolException {
        int start = in.position();
        if (in.limit() - start < 1) {
            return null;
        }
        MethodNegotiation.checkVersion("password authentication response",
                Wire.u8(in, start), Socks5.PASSWORD_AUTH_VERSION);
        if (in.limit() - start < 2) {
            return null;
        }
        boolean success = Wire.u8(in, start + 1) == 0;
        in.position(start + 2);
        return success;
    }

    /**
     * Server side: reads {@code VER ULEN UNAME PLEN PASSWD}. Zero-length fields are accepted (the
     * framing is still sound) and left for the server to refuse.
     *
     * @return the request, or null if incomplete
     * @throws SocksProtocolException if VER is not 1
     */
    public static Request decodeRequest(ByteBuffer in) throws SocksProtocolException {
        int start = in.position();
        int limit = in.limit();
        if (limit - start < 1) {
            return null;
        }
        MethodNegotiation.checkVersion("password authentication request",
                Wire.u8(in, start), Socks5.PASSWORD_AUTH_VERSION);
        if (limit - start < 2) {
            return null;
        }
        int ulen = Wire.u8(in, start + 1);
        int plenIndex = start + 2 + ulen;
        if (limit - plenIndex < 1) {
            return null;
        }
        int plen = Wire.u8(in, plenIndex);
        if (limit - (plenIndex + 1) < plen) {
            return null;
        }
        byte[] username = copy(in, start + 2, ulen);
        byte[] password = copy(in, plenIndex + 1, plen);
        in.position(plenIndex + 1 + plen);
        return new Request(username, password);
    }

    /**
     * Server side: writes {@code VER STATUS}, STATUS 0x00 for success and 0x01 for failure (RFC 1929
     * only says "other than X'00'").
     */
    public static void encodeResponse(ByteBuffer out, boolean ok) {
        Wire.ensureRemaining(out, 2);
        out.put((byte) Socks5.PASSWORD_AUTH_VERSION);
        out.put((byte) (ok ? 0x00 : 0x01));
    }

    private static byte[] copy(ByteBuffer in, int index, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = in.get(index + i);
        }
        return bytes;
    }

    /** A decoded username/password request. Accessors return copies. */
    public static final class Request {

        private final byte[] username;
        private final byte[] password;

        Request(byte[] username, byte[] password) {
            this.username = username;
            this.password = password;
        }

        public byte[] username() {
            return username.clone();
        }

        public byte[] password() {
            return password.clone();
        }

        /** Shows the username only; the password is masked. */
        @Override
        public String toString() {
            return "PasswordAuth.Request{username=" + new String(username, UTF_8) + ", password=****}";
        }
    }
}
