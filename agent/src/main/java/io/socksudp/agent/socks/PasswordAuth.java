package io.socksudp.agent.socks;

import java.nio.ByteBuffer;

/**
 * RFC 1929 username/password sub-negotiation, run after the server selected
 * {@link Socks5#USERNAME_PASSWORD}. Its VER is 1 ({@link Socks5#PASSWORD_AUTH_VERSION}), not 5.
 *
 * <p>The password never appears in an exception message or a {@code toString()}.
 */
public final class PasswordAuth {

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
}
